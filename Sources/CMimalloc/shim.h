// mimalloc (Debian: libmimalloc-dev), linked into the rdpdiag executable so that it
// replaces the C library's malloc for the whole process (see RDPDiag.swift).
#include <mimalloc.h>
