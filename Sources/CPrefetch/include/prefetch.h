#ifndef RDPDIAG_PREFETCH_H
#define RDPDIAG_PREFETCH_H

// Asks the processor to fetch the cache line holding `address` for writing,
// without waiting for it (a hint: never faults, never changes memory).
static inline void rdpdiag_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

// Asks the processor to fetch the cache line holding `address` for reading soon.
static inline void rdpdiag_prefetch_for_read(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
