// glibc's malloc policy for a process that allocates, grows and frees tens of megabytes
// of columns, id tables and read buffers in one run. By default glibc maps each block
// of 128 KB or more on its own and unmaps it when freed (raising that bound only as
// blocks are freed), so each new block faults its pages in again, 4 KB at a time. Here
// blocks below glibc's own upper bound for that threshold (32 MB on 64-bit) come from
// the heap from the start, freed memory stays in the heap for the next block, and the
// heap reserves `reservation` bytes of address space ahead in one stretch marked for
// transparent huge pages when asked, so that the kernel backs it 2 MB per fault where it
// has huge pages (the `madvise` THP mode asks for the mark). Blocks of 32 MB or more are still
// mapped on their own and returned when freed, so a large export's peak memory does
// not grow by the heap keeping them.
//
// The huge-page mark is made only with CREDITWATCH_HUGE_PAGES=1 in the environment. A
// virtual machine that hands freed memory back to its host (free page reporting, as the
// 2-vCPU guest of docs/PERFORMANCE.md does) reports it in 2 MB blocks, so a fresh huge
// page is nearly always one the host has to back again, 512 small faults on its side,
// while 4 KB pages also come from smaller free fragments it still backs: there, loads
// took 2-3x the kernel time with huge pages (docs/PERFORMANCE.md, session 7). The heap
// reuse stays either way.
#define _GNU_SOURCE
#include "cw_heap.h"
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int cw_heap_prefer_reuse_and_huge_pages(size_t reservation) {
    if (reservation > INT_MAX) reservation = INT_MAX;
    int ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) && mallopt(M_TRIM_THRESHOLD, INT_MAX)
        && mallopt(M_TOP_PAD, (int)reservation);
    // One block past the heap's top makes glibc extend the heap by the reservation.
    void *probe = malloc(1 << 20);
    if (probe == NULL) return -1;
    const uintptr_t huge_page = (uintptr_t)1 << 21;
    uintptr_t start = ((uintptr_t)probe + huge_page - 1) & ~(huge_page - 1);
    uintptr_t end = (uintptr_t)sbrk(0);
    const char *huge_pages = getenv("CREDITWATCH_HUGE_PAGES");
    int wanted = huge_pages != NULL && strcmp(huge_pages, "1") == 0;
    if (wanted && end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) != 0) ok = 0;
    free(probe);
    return ok ? 0 : -1;
}
