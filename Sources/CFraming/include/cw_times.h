#ifndef CREDITWATCH_CTIMES_H
#define CREDITWATCH_CTIMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/// The month of the previous ISO value of one time column: its `YYYY-MM-` bytes as
/// loaded (little-endian), the day number of its first day and its length. Values of a
/// column mostly share the month, so the date part is then one word compare. A prefix
/// of 0 matches no ISO value (byte 4 of one is `-`).
struct cw_month_cache {
    uint64_t prefix;
    int64_t first_day;
    uint64_t days;
};

/// 8 bytes from `bytes` as a little-endian word (byte i is bits 8i..8i+7).
static inline uint64_t cw_times_load(const uint8_t *bytes) {
    uint64_t word;
    memcpy(&word, bytes, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

/// For the digit bytes of `word` selected by `digits` (0xFF per byte): 0 unless all are
/// `0`-`9`; else 1, with `*pairs` a word whose byte i is `10 * digit(i) + digit(i + 1)`
/// (valid where both bytes are digits). A byte below `0` borrows, but then its own high
/// bit is set; one above `9` reaches the high bit when 0x76 is added.
static inline int cw_digit_pairs(uint64_t word, uint64_t digits, uint64_t *pairs) {
    uint64_t values = word - (0x3030303030303030ull & digits);
    if (((values | (values + (0x7676767676767676ull & digits))) & 0x8080808080808080ull & digits) != 0) return 0;
    uint64_t clean = values & digits;
    *pairs = clean * 10 + (clean >> 8);
    return 1;
}

/// The day number (days since 1970-01-01) of the first day of `month` (1-12) of `year`
/// (>= 1): Howard Hinnant's days_from_civil, as `UnixTime.daysFromCivil`, unsigned.
static inline int64_t cw_first_day_of_month(uint64_t year, uint64_t month) {
    uint64_t y = month <= 2 ? year - 1 : year;
    uint64_t era = y / 400, year_of_era = y - era * 400;
    uint64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5;
    uint64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int64_t)(era * 146097 + day_of_era) - 719468;
}

/// The days of `month` (1-12) in `year`.
static inline uint64_t cw_days_in_month(uint64_t year, uint64_t month) {
    int leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    if (month == 2) return leap ? 29 : 28;
    return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/// The zone of an ISO value of 19 (none), 20 (`Z`) or 25 (`+HH:MM`, `-HH:MM`) bytes as
/// seconds east of UTC in `*offset`; 0 when malformed, else 1.
static inline int cw_iso_zone_offset(const uint8_t *bytes, size_t count, int64_t *offset) {
    *offset = 0;
    if (count == 19) return 1;
    if (count == 20) return bytes[19] == 'Z';
    uint8_t sign = bytes[19];
    uint8_t h1 = (uint8_t)(bytes[20] - '0'), h2 = (uint8_t)(bytes[21] - '0');
    uint8_t m1 = (uint8_t)(bytes[23] - '0'), m2 = (uint8_t)(bytes[24] - '0');
    if ((sign != '+' && sign != '-') || bytes[22] != ':' || h1 > 9 || h2 > 9 || m1 > 9 || m2 > 9) return 0;
    int64_t hours = h1 * 10 + h2, minutes = m1 * 10 + m2;
    if (hours >= 24 || minutes >= 60) return 0;
    *offset = (hours * 3600 + minutes * 60) * (sign == '+' ? 1 : -1);
    return 1;
}

/// The fast path of `FieldParser.time` for the contract's three ISO forms
/// (`2026-11-01T08:15:00Z`, `2026-11-01 08:15:00` or with `T`, `2026-11-01T16:15:00+08:00`):
/// the date and clock digits checked and converted 8 bytes at a time (SWAR), the month
/// taken from `cache` when its `YYYY-MM-` word is the cached one (else validated,
/// converted and cached). Returns 1 with the Unix seconds in `*seconds`; 0 for anything
/// else (another spelling, Unix seconds, a malformed or out-of-range value, a year 0),
/// which the careful parser then reads or refuses with the exact problem.
static inline int cw_iso_time(const uint8_t *bytes, size_t count, struct cw_month_cache *cache, int64_t *seconds) {
    if (count != 19 && count != 20 && count != 25) return 0;
    uint8_t separator = bytes[10];
    if (separator != 'T' && separator != ' ') return 0;
    // Words of bytes 0-7 `YYYY-MM-`, 8-15 `DDTHH:MM` and 11-18 `HH:MM:SS` (of which only
    // `:SS` is new).
    uint64_t date = cw_times_load(bytes), clock = cw_times_load(bytes + 8), tail = cw_times_load(bytes + 11);
    uint64_t clock_pairs, tail_pairs;
    if ((clock & 0x0000FF0000000000ull) != 0x00003A0000000000ull || (tail & 0x0000FF0000000000ull) != 0x00003A0000000000ull
        || !cw_digit_pairs(clock, 0xFFFF00FFFF00FFFFull, &clock_pairs) || !cw_digit_pairs(tail, 0xFFFF000000000000ull, &tail_pairs))
        return 0;
    if (date != cache->prefix) {
        uint64_t date_pairs;
        if ((date & 0xFF0000FF00000000ull) != 0x2D00002D00000000ull || !cw_digit_pairs(date, 0x00FFFF00FFFFFFFFull, &date_pairs))
            return 0;
        uint64_t year = (date_pairs & 0xFF) * 100 + (date_pairs >> 16 & 0xFF), month = date_pairs >> 40 & 0xFF;
        if (year < 1 || month < 1 || month > 12) return 0;
        cache->prefix = date;
        cache->first_day = cw_first_day_of_month(year, month);
        cache->days = cw_days_in_month(year, month);
    }
    uint64_t day = clock_pairs & 0xFF, hour = clock_pairs >> 24 & 0xFF, minute = clock_pairs >> 48 & 0xFF;
    uint64_t second = tail_pairs >> 48 & 0xFF;
    if (day < 1 || day > cache->days || hour >= 24 || minute >= 60 || second >= 60) return 0;
    int64_t offset;
    if (!cw_iso_zone_offset(bytes, count, &offset)) return 0;
    *seconds = (cache->first_day + (int64_t)day - 1) * 86400 + (int64_t)(hour * 3600 + minute * 60 + second) - offset;
    return 1;
}

/// `cw_iso_time` down one field of framed records: `bounds` points at the field's
/// start and end in the first record (`RecordFrame`'s layout, offsets into `bytes`) and
/// advances `stride` values a record. Writes the Unix seconds of `rows` records at most
/// to `out`, with one month cache kept in registers, and stops at the first value the
/// fast path does not take (an empty one included). Returns how many it wrote: the
/// caller handles the value after them and calls again after it.
size_t cw_decode_iso_times(const uint8_t *bytes, const uint32_t *bounds, size_t stride, size_t rows, int64_t *out,
                           struct cw_month_cache *cache);

#endif
