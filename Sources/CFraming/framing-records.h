// The body of the plain-record framer (see include/cw_framing.h), included once per
// instruction set by framing.c with CW_FRAMER (the function's name), CW_TARGET (its
// target attribute), CW_MASKS (the block mask function), CW_TRAILING_ZEROS, and
// CW_HIGH_BYTES, CW_NO_HIGH_BYTES and CW_ANY_HIGH_BYTE (the type, start and test of the
// bytes read OR-ed together) defined, so that the logic is written once and each copy
// is compiled for its own instruction set.

CW_TARGET size_t CW_FRAMER(const uint8_t *bytes, size_t start, size_t stop, size_t limit, size_t columns,
                           uint32_t *bounds, size_t max_rows, size_t max_record_bytes, size_t *next,
                           int *non_ascii) {
    size_t rows = 0;
    size_t record_start = start;
    // Separators written so far, and the index of the current record's first one.
    size_t separators = 0, record_first = 0;
    size_t block = start;
    // Whether the block before ended in the `\r` of a `\r\n` (its `\n` is this block's
    // first byte).
    uint64_t carried_return = 0;
    // Every block's top bits, folded together (in a vector register where there is one).
    CW_HIGH_BYTES high_bytes = CW_NO_HIGH_BYTES;
    if (columns < 2 || max_rows == 0 || start >= stop) goto done;
    bounds[0] = (uint32_t)start;
    while (block + 64 <= limit) {
        struct cw_masks masks = CW_MASKS(bytes + block, &high_bytes);
        uint64_t separator = masks.commas | masks.line_feeds;
        uint64_t line_feed = masks.line_feeds;
        uint64_t stops = masks.quotes;
        // The line feeds right after a `\r` (none in a file with `\n` line ends, which
        // skips this branch).
        uint64_t returned_line_feeds = 0;
        if (masks.carriage_returns | carried_return) {
            // A `\r` right before a `\n` ends its record's last field (CRLF line ends):
            // it is that field's separator and its `\n` is not. Any other `\r` is a stop.
            uint64_t next_is_line_feed = block + 64 < limit && bytes[block + 64] == '\n';
            uint64_t line_end_returns = masks.carriage_returns & ((masks.line_feeds >> 1) | (next_is_line_feed << 63));
            returned_line_feeds = (line_end_returns << 1) | carried_return;
            carried_return = line_end_returns >> 63;
            stops |= masks.carriage_returns & ~line_end_returns;
            separator = masks.commas | line_end_returns | (masks.line_feeds & ~returned_line_feeds);
        }
        if (stops) {
            // Only the bytes before the first stop: its record takes the careful way.
            uint64_t before = (stops & (0 - stops)) - 1;
            separator &= before;
            line_feed &= before;
        }
        // Separator i of the buffer ends field i and starts field i + 1: one 8-byte
        // store of (end, start) at bounds[2i + 1]. The first 8 (then 16) are written
        // unconditionally, as simdjson flattens its bitmasks.
        size_t count = (size_t)__builtin_popcountll(separator);
        uint32_t *out = bounds + 1 + 2 * separators;
        uint64_t bits = separator;
        uint64_t base_pair = (uint64_t)block * 0x100000001ULL + 0x100000000ULL;
        __asm__("" : "+r"(base_pair));  // one add per store, not an add and a decrement
        for (int i = 0; i < 8; i++) {
            cw_store_pair(out + 2 * i, CW_TRAILING_ZEROS(bits), base_pair);
            bits &= bits - 1;
        }
        if (count > 8) {
            for (int i = 8; i < 16; i++) {
                cw_store_pair(out + 2 * i, CW_TRAILING_ZEROS(bits), base_pair);
                bits &= bits - 1;
            }
            for (size_t i = 16; i < count; i++) {
                cw_store_pair(out + 2 * i, CW_TRAILING_ZEROS(bits), base_pair);
                bits &= bits - 1;
            }
        }
        // Each line feed ends a record: the separator at or before it (the line feed, or
        // the `\r` of a CRLF) must be the record's `columns`th.
        while (line_feed) {
            uint64_t bit = line_feed & (0 - line_feed);
            line_feed ^= bit;
            size_t index = separators + (size_t)__builtin_popcountll(separator & ((bit << 1) - 1)) - 1;
            size_t end = block + CW_TRAILING_ZEROS(bit) + 1;
            if (index - record_first != columns - 1 || end - record_start > max_record_bytes) goto done;
            // The next record starts after the `\n`, not after the `\r` its pair names.
            if (returned_line_feeds & bit) bounds[2 * index + 2] += 1;
            rows++;
            record_first = index + 1;
            record_start = end;
            if (record_start >= stop || rows == max_rows) goto done;
        }
        separators += count;
        // A stop byte, or more separators than a record has (a record whose `\r` ends
        // this block has all of them): the careful way decides.
        if (stops || separators - record_first >= columns + carried_return) goto done;
        block += 64;
    }
done:
    *next = record_start;
    *non_ascii = CW_ANY_HIGH_BYTE(high_bytes);
    return rows;
}
