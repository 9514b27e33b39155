// The column loops of include/cw_times.h.
#include "cw_framing.h"
#include "cw_times.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// The one-value loop: `cw_iso_time` per record, the month cache in a local copy (`out`
/// may not alias it, so it stays in registers).
static inline __attribute__((always_inline)) size_t cw_decode_iso_times_one(const uint8_t *bytes, const uint32_t *bounds, size_t stride, size_t rows,
                                      int64_t *out, struct cw_month_cache *cache, size_t row) {
    struct cw_month_cache month = *cache;
    for (bounds += row * stride; row < rows; row++, bounds += stride) {
        uint32_t start = bounds[0];
        if (!cw_iso_time(bytes + start, bounds[1] - start, &month, out + row)) break;
    }
    *cache = month;
    return row;
}

#if defined(__x86_64__)
#define CW_TIMES_AVX2 __attribute__((target("avx2")))

/// Two records at a time, both ISO values of the three forms in the cached month:
/// bytes 0-15 of each in one half of a register, bytes 3-18 of each in another, checked
/// and converted together; for any other pair the first value goes alone (`cw_iso_time`)
/// and pairing resumes after it.
CW_TIMES_AVX2 size_t cw_decode_iso_times_avx2(const uint8_t *bytes, const uint32_t *bounds, size_t stride,
                                              size_t rows, int64_t *out, struct cw_month_cache *cache) {
    const __m256i zero_digit = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9);
    const __m256i with_t = _mm256_setr_epi8(0, 0, 0, 0, '-', 0, 0, '-', 0, 0, 'T', 0, 0, ':', 0, 0,
                                            0, 0, 0, 0, '-', 0, 0, '-', 0, 0, 'T', 0, 0, ':', 0, 0);
    const __m256i with_space = _mm256_setr_epi8(0, 0, 0, 0, '-', 0, 0, '-', 0, 0, ' ', 0, 0, ':', 0, 0,
                                                0, 0, 0, 0, '-', 0, 0, '-', 0, 0, ' ', 0, 0, ':', 0, 0);
    const __m256i digit_lanes = _mm256_setr_epi8(-1, -1, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1,
                                                 -1, -1, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1);
    // Of bytes 3-18: `:` at 16 (lane 13), the second's digits at 17 and 18 (lanes 14, 15).
    const __m256i colon = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', 0, 0,
                                           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', 0, 0);
    const __m256i tens = _mm256_set1_epi16(0x010A);
    struct cw_month_cache month = *cache;
    // 16-bit lanes of each half: 4 day, 5 hour, 6 second, 7 minute; the others never fail.
    __m256i limits = _mm256_set1_epi16(0x7FFF);
    uint64_t limits_for = 0;
    size_t row = 0;
    while (row + 1 < rows) {
        const uint32_t *first = bounds + row * stride, *second = first + stride;
        uint32_t start0 = first[0], start1 = second[0];
        uint32_t count0 = first[1] - start0, count1 = second[1] - start1;
        const uint8_t *text0 = bytes + start0, *text1 = bytes + start1;
        // Lengths 19, 20 and 25 are bits 0, 1 and 6 of 0x43 counted from 19.
        if ((count0 - 19u) > 6u || (count1 - 19u) > 6u || ((0x43u >> (count0 - 19u)) & (0x43u >> (count1 - 19u)) & 1u) == 0)
            goto one_value;
        __m256i text = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)text0)),
                                               _mm_loadu_si128((const __m128i *)text1), 1);
        __m256i tail = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(text0 + 3))),
                                               _mm_loadu_si128((const __m128i *)(text1 + 3)), 1);
        __m256i values = _mm256_sub_epi8(text, zero_digit), tail_values = _mm256_sub_epi8(tail, zero_digit);
        __m256i digits = _mm256_cmpeq_epi8(_mm256_min_epu8(values, nine), values);
        __m256i tail_digits = _mm256_cmpeq_epi8(_mm256_min_epu8(tail_values, nine), tail_values);
        __m256i separators = _mm256_or_si256(_mm256_cmpeq_epi8(text, with_t), _mm256_cmpeq_epi8(text, with_space));
        __m256i valid = _mm256_blendv_epi8(separators, digits, digit_lanes);
        __m256i tail_valid = _mm256_blendv_epi8(_mm256_cmpeq_epi8(tail, colon), tail_digits, digit_lanes);
        uint64_t date0 = (uint64_t)_mm256_extract_epi64(text, 0), date1 = (uint64_t)_mm256_extract_epi64(text, 2);
        int64_t offset0, offset1;
        int zones = cw_iso_zone_offset(text0, count0, &offset0) & cw_iso_zone_offset(text1, count1, &offset1);
        if ((uint32_t)_mm256_movemask_epi8(valid) != 0xFFFFFFFFu || ((uint32_t)_mm256_movemask_epi8(tail_valid) & 0xE000E000u) != 0xE000E000u
            || date0 != month.prefix || date1 != month.prefix || !zones)
            goto one_value;
        // 16-bit lane k: 10 * byte 2k + byte 2k+1 (`even`: day 4, minute 7), of the bytes
        // shifted down one (`odd`: hour 5), of bytes 3-18 shifted down two (second 6).
        __m256i even = _mm256_maddubs_epi16(values, tens);
        __m256i odd = _mm256_maddubs_epi16(_mm256_srli_si256(values, 1), tens);
        __m256i seconds = _mm256_srli_si256(_mm256_maddubs_epi16(tail_values, tens), 2);
        __m256i clock = _mm256_blend_epi16(_mm256_blend_epi16(even, odd, 0x20), seconds, 0x40);
        if (limits_for != month.prefix) {
            limits = _mm256_setr_epi16(0x7FFF, 0x7FFF, 0x7FFF, 0x7FFF, (short)month.days, 23, 59, 59,
                                       0x7FFF, 0x7FFF, 0x7FFF, 0x7FFF, (short)month.days, 23, 59, 59);
            limits_for = month.prefix;
        }
        __m256i day_lanes = _mm256_setr_epi16(0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0);
        __m256i refused = _mm256_or_si256(_mm256_cmpgt_epi16(clock, limits),
                                          _mm256_and_si256(_mm256_cmpeq_epi16(clock, _mm256_setzero_si256()), day_lanes));
        if (!_mm256_testz_si256(refused, refused)) goto one_value;
        // Seconds of the day: hour * 3600 + (second + minute * 60) as two 32-bit lanes.
        __m256i weighted = _mm256_madd_epi16(clock, _mm256_setr_epi16(0, 0, 0, 0, 0, 3600, 1, 60,
                                                                      0, 0, 0, 0, 0, 3600, 1, 60));
        int64_t base = (month.first_day - 1) * 86400;
        out[row] = base + (int64_t)_mm256_extract_epi16(clock, 4) * 86400 + _mm256_extract_epi32(weighted, 2)
            + _mm256_extract_epi32(weighted, 3) - offset0;
        out[row + 1] = base + (int64_t)_mm256_extract_epi16(clock, 12) * 86400 + _mm256_extract_epi32(weighted, 6)
            + _mm256_extract_epi32(weighted, 7) - offset1;
        row += 2;
        continue;
    one_value:;
        // The pair is not two values of the fast forms in the cached month: the first goes
        // alone, and pairing resumes after it.
        size_t next = cw_decode_iso_times_one(bytes, bounds, stride, row + 1, out, &month, row);
        if (next == row) break;
        row = next;
    }
    if (row + 1 == rows) row = cw_decode_iso_times_one(bytes, bounds, stride, rows, out, &month, row);
    *cache = month;
    return row;
}
#endif

size_t cw_decode_iso_times(const uint8_t *bytes, const uint32_t *bounds, size_t stride, size_t rows, int64_t *out,
                           struct cw_month_cache *cache) {
#if defined(__x86_64__)
    if (cw_framing_has_avx2()) return cw_decode_iso_times_avx2(bytes, bounds, stride, rows, out, cache);
#endif
    return cw_decode_iso_times_one(bytes, bounds, stride, rows, out, cache, 0);
}
