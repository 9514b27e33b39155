#ifndef CREDITWATCH_CHEAP_H
#define CREDITWATCH_CHEAP_H

#include <stddef.h>

/// Sets how the process takes memory from glibc (see heap.c); call it first thing in
/// `main`, once. Returns 0 when every step took, -1 otherwise (the defaults then stay
/// in force for what did not).
int cw_heap_prefer_reuse_and_huge_pages(size_t reservation);

#endif
