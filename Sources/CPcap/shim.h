#ifndef RDPDIAG_CPCAP_SHIM_H
#define RDPDIAG_CPCAP_SHIM_H
// libpcap, as installed by Debian's libpcap-dev (pkg-config libpcap).
#include <pcap/pcap.h>
#include <stdio.h>
#if defined(__linux__)
#include <stdio_ext.h>
#endif
#endif
