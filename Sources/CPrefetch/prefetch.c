// The target's code is all in include/cw_prefetch.h (static inline); SwiftPM wants one
// source file per C target.
#include "cw_prefetch.h"
