#ifndef CREDITWATCH_CPREFETCH_H
#define CREDITWATCH_CPREFETCH_H

/// Starts fetching the cache line at `address` into all cache levels, for a read soon.
/// Swift has no prefetch intrinsic; a static inline function is inlined into Swift
/// callers (one `prefetcht0` instruction). A hint only: nothing is read, nothing faults.
/// The interner reads a slot before it may write it, and a line fetched by a core that
/// no other core shares arrives writable, so there is no separate write prefetch.
static inline void cw_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
