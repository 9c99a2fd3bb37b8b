#ifndef RDPDIAG_PREFETCH_H
#define RDPDIAG_PREFETCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

// Asks the processor to fetch the cache line holding `address` for writing,
// without waiting for it (a hint: never faults, never changes memory).
static inline void rdpdiag_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

// Asks the processor to fetch the cache line holding `address` for reading soon.
static inline void rdpdiag_prefetch_for_read(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

// Copies `count` bytes to memory that will not be read again soon, past the
// caches where the processor allows it (x86-64 streaming stores), so a large
// copy does not push out what the caches hold for others. Ordered after every
// store before it and before every store after it, like a plain copy.
static inline void rdpdiag_copy_streaming(void *destination, const void *source, size_t count) {
#if defined(__x86_64__)
    char *d = (char *)destination;
    const char *s = (const char *)source;
    _mm_sfence();
    size_t head = (16 - ((uintptr_t)d & 15)) & 15;
    if (head > count) head = count;
    memcpy(d, s, head);
    d += head; s += head; count -= head;
    while (count >= 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_stream_si128((__m128i *)d, a);
        _mm_stream_si128((__m128i *)(d + 16), b);
        _mm_stream_si128((__m128i *)(d + 32), c);
        _mm_stream_si128((__m128i *)(d + 48), e);
        d += 64; s += 64; count -= 64;
    }
    _mm_sfence();
    memcpy(d, s, count);
#else
    memcpy(destination, source, count);
#endif
}

#endif
