// The plain-record framer of include/cw_framing.h, compiled twice from
// framing-records.h: with AVX2 masks and with the baseline's.
#include "cw_framing.h"
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

/// Bit i set when byte i of a 64-byte block is a comma, a line feed, a quote or a
/// carriage return: the bytes the framer reads (`framing-records.h` makes separators,
/// line ends and stops of them). Each mask function also folds each byte's top bit into
/// `CW_HIGH_BYTES` (the bytes OR-ed together with AVX2, a word of top bits otherwise),
/// which `CW_ANY_HIGH_BYTE` finds non-zero exactly when a byte read was 0x80 or above.
struct cw_masks {
    uint64_t commas, line_feeds, quotes, carriage_returns;
};

/// Stores a field's end and the next field's start, `base_pair + offset * (1 + 2^32)`
/// with `base_pair` the pair of a separator at offset 0 of the block, at `out`. The
/// empty asm keeps the pair a scalar: without it clang turns the unrolled stores into
/// vector code that counts trailing zeros with shuffles (twice the instructions).
static inline __attribute__((always_inline)) void cw_store_pair(uint32_t *out, uint64_t offset, uint64_t base_pair) {
    uint64_t pair = offset * 0x100000001ULL + base_pair;
    __asm__("" : "+r"(pair));
    memcpy(out, &pair, sizeof pair);
}

/// The index of the lowest set bit, for the baseline: 63 for 0 (whose writes land in
/// the slack).
static inline __attribute__((always_inline)) uint64_t cw_trailing_zeros_portable(uint64_t bits) {
    return (uint64_t)__builtin_ctzll(bits | (1ULL << 63));
}

static inline __attribute__((always_inline)) struct cw_masks cw_masks_portable(const uint8_t *block,
                                                                               uint64_t *high_bytes) {
    struct cw_masks masks = {0, 0, 0, 0};
#if defined(__x86_64__)
    const __m128i comma = _mm_set1_epi8(','), line_feed = _mm_set1_epi8('\n');
    const __m128i quote = _mm_set1_epi8('"'), carriage_return = _mm_set1_epi8('\r');
    for (int quarter = 0; quarter < 4; quarter++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(block + 16 * quarter));
        masks.commas |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma)) << (16 * quarter);
        masks.line_feeds |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, line_feed)) << (16 * quarter);
        masks.quotes |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << (16 * quarter);
        masks.carriage_returns |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, carriage_return))
            << (16 * quarter);
        *high_bytes |= (uint64_t)(uint16_t)_mm_movemask_epi8(v);
    }
#else
    for (int i = 0; i < 64; i++) {
        uint8_t byte = block[i];
        masks.commas |= (uint64_t)(byte == ',') << i;
        masks.line_feeds |= (uint64_t)(byte == '\n') << i;
        masks.quotes |= (uint64_t)(byte == '"') << i;
        masks.carriage_returns |= (uint64_t)(byte == '\r') << i;
        *high_bytes |= byte >> 7;
    }
#endif
    return masks;
}

#define CW_FRAMER cw_frame_plain_records_portable
#define CW_TARGET
#define CW_MASKS cw_masks_portable
#define CW_TRAILING_ZEROS cw_trailing_zeros_portable
#define CW_HIGH_BYTES uint64_t
#define CW_NO_HIGH_BYTES 0
#define CW_ANY_HIGH_BYTE(high_bytes) ((high_bytes) != 0)
#include "framing-records.h"
#undef CW_FRAMER
#undef CW_TARGET
#undef CW_MASKS
#undef CW_TRAILING_ZEROS
#undef CW_HIGH_BYTES
#undef CW_NO_HIGH_BYTES
#undef CW_ANY_HIGH_BYTE

#if defined(__x86_64__)
#define CW_AVX2 __attribute__((target("avx2,bmi,popcnt")))

/// The mask of the 64 bytes at `low` and `high` (32 each) equal to `byte`.
static inline __attribute__((always_inline)) CW_AVX2 uint64_t cw_mask_avx2(__m256i low, __m256i high, __m256i byte) {
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(low, byte))
        | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(high, byte)) << 32;
}

static inline __attribute__((always_inline)) CW_AVX2 struct cw_masks cw_masks_avx2(const uint8_t *block,
                                                                                   __m256i *high_bytes) {
    __m256i low = _mm256_loadu_si256((const __m256i *)block);
    __m256i high = _mm256_loadu_si256((const __m256i *)(block + 32));
    struct cw_masks masks;
    masks.commas = cw_mask_avx2(low, high, _mm256_set1_epi8(','));
    masks.line_feeds = cw_mask_avx2(low, high, _mm256_set1_epi8('\n'));
    masks.quotes = cw_mask_avx2(low, high, _mm256_set1_epi8('"'));
    masks.carriage_returns = cw_mask_avx2(low, high, _mm256_set1_epi8('\r'));
    *high_bytes = _mm256_or_si256(*high_bytes, _mm256_or_si256(low, high));
    return masks;
}

#define CW_FRAMER cw_frame_plain_records_avx2
#define CW_TARGET CW_AVX2
#define CW_MASKS cw_masks_avx2
#define CW_TRAILING_ZEROS _tzcnt_u64
#define CW_HIGH_BYTES __m256i
#define CW_NO_HIGH_BYTES _mm256_setzero_si256()
#define CW_ANY_HIGH_BYTE(high_bytes) (_mm256_movemask_epi8(high_bytes) != 0)
#include "framing-records.h"
#undef CW_FRAMER
#undef CW_TARGET
#undef CW_MASKS
#undef CW_TRAILING_ZEROS
#undef CW_HIGH_BYTES
#undef CW_NO_HIGH_BYTES
#undef CW_ANY_HIGH_BYTE

int cw_framing_has_avx2(void) {
    static int cached = -1;
    int known = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (known < 0) {
        unsigned eax, ebx, ecx, edx;
        int avx2 = 0;
        // AVX and OSXSAVE (leaf 1 ecx bits 28, 27), the OS saving YMM state (xgetbv
        // bits 1-2), AVX2 and BMI1 (leaf 7 ebx bits 5, 3).
        if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 27)) && (ecx & (1u << 28))
            && (ecx & (1u << 23))) {
            unsigned low, high;
            __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
            if ((low & 6) == 6 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
                avx2 = (ebx & (1u << 5)) && (ebx & (1u << 3));
            }
        }
        known = avx2;
        __atomic_store_n(&cached, known, __ATOMIC_RELAXED);
    }
    return known;
}
#else
size_t cw_frame_plain_records_avx2(const uint8_t *bytes, size_t start, size_t stop, size_t limit, size_t columns,
                                   uint32_t *bounds, size_t max_rows, size_t max_record_bytes, size_t *next,
                                   int *non_ascii) {
    return cw_frame_plain_records_portable(bytes, start, stop, limit, columns, bounds, max_rows, max_record_bytes, next,
                                           non_ascii);
}

int cw_framing_has_avx2(void) { return 0; }
#endif

size_t cw_frame_plain_records(const uint8_t *bytes, size_t start, size_t stop, size_t limit, size_t columns,
                              uint32_t *bounds, size_t max_rows, size_t max_record_bytes, size_t *next, int *non_ascii) {
    if (cw_framing_has_avx2()) {
        return cw_frame_plain_records_avx2(bytes, start, stop, limit, columns, bounds, max_rows, max_record_bytes, next,
                                           non_ascii);
    }
    return cw_frame_plain_records_portable(bytes, start, stop, limit, columns, bounds, max_rows, max_record_bytes, next,
                                           non_ascii);
}
