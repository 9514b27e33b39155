#ifndef CREDITWATCH_CFRAMING_H
#define CREDITWATCH_CFRAMING_H

#include <stddef.h>
#include <stdint.h>

/// Frames the plain CSV records of a buffer: records with no `"` and no `\r` but that of
/// a CRLF line end, exactly `columns` fields (`columns` >= 2), ending in `\n` or
/// `\r\n`, the common case that needs no state machine. simdcsv-style: the separators
/// (`,`, and `\n` or the `\r` of `\r\n`) of 64 bytes at a time become a bitmask, whose
/// set bits are written out as field bounds, and the line feeds then check each
/// record's field count.
///
/// Records are framed from `start` (a record start) while they start before `stop`,
/// lie wholly in 64-byte blocks inside `bytes[0 ..< limit]`, are at most
/// `max_record_bytes` long (line feed included) and number at most `max_rows`. The
/// first record that is not plain, or not whole in those blocks, ends the call:
/// `*next` is its start (the caller frames it the careful way) and the records before
/// it are returned.
///
/// `bounds` receives, for record `r` and field `f`, the start and the end of the
/// field at `bounds[(r * columns + f) * 2]` and `+ 1`, as `RecordFrame` keeps them.
/// It must have room for `max_rows * columns * 2 + CW_FRAMING_SLACK` values: the
/// kernel writes a block's separators before it knows where the records end.
///
/// `*non_ascii` is set to 1 when a byte of the 64-byte blocks the call read (they hold
/// every record it framed, and may hold bytes after them) is 0x80 or above, else to 0:
/// when 0, the framed records are ASCII and need no UTF-8 check (the blocks were in
/// registers anyway; a separate pass would read the bytes once more).
///
/// Returns the number of records framed.
size_t cw_frame_plain_records(const uint8_t *bytes, size_t start, size_t stop, size_t limit, size_t columns,
                              uint32_t *bounds, size_t max_rows, size_t max_record_bytes, size_t *next, int *non_ascii);

/// `cw_frame_plain_records` with the masks of the baseline instruction set (SSE2 on
/// x86-64, a byte loop elsewhere): what runs on a CPU without AVX2; tests call it to
/// check it against the careful framer.
size_t cw_frame_plain_records_portable(const uint8_t *bytes, size_t start, size_t stop, size_t limit, size_t columns,
                                       uint32_t *bounds, size_t max_rows, size_t max_record_bytes, size_t *next,
                                       int *non_ascii);

/// `cw_frame_plain_records` with AVX2 masks; call it only when `cw_framing_has_avx2()`.
size_t cw_frame_plain_records_avx2(const uint8_t *bytes, size_t start, size_t stop, size_t limit, size_t columns,
                                   uint32_t *bounds, size_t max_rows, size_t max_record_bytes, size_t *next,
                                   int *non_ascii);

/// Whether this CPU (and the operating system) run AVX2 code: cpuid and xgetbv, once.
int cw_framing_has_avx2(void);

/// Values of `bounds` the kernel may write past its records' (see above).
#define CW_FRAMING_SLACK 160

#endif
