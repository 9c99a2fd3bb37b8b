/*
 * pcap-floor: the floor for whole-process benchmarks.
 *
 * Reads every record of a capture with libpcap's pcap_next_ex() and touches every
 * captured byte (summed 8 bytes at a time into a checksum printed at the end, so the
 * compiler cannot drop the reads). Nothing a packet analyzer does can cost less than
 * this; Benchmarks/run.sh reports every tool as a ratio to it.
 *
 *   pcap-floor FILE   ->   "<packets> packets <bytes> bytes checksum <hex>"
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: pcap-floor FILE\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL) {
        fprintf(stderr, "pcap-floor: %s\n", errbuf);
        return 2;
    }
    struct pcap_pkthdr *header;
    const u_char *data;
    uint64_t packets = 0, bytes = 0, checksum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &header, &data)) == 1) {
        uint64_t acc = 0;
        size_t n = header->caplen, i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, data + i, 8);  /* unaligned-safe load */
            acc += w;
        }
        for (; i < n; i++) acc += data[i];
        /* Mix per packet so that reordered packets change the result. */
        checksum = (checksum ^ acc) * 0x100000001B3ULL;
        packets++;
        bytes += n;
    }
    if (rc == -1) {
        fprintf(stderr, "pcap-floor: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("%llu packets %llu bytes checksum %016llx\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)checksum);
    return 0;
}
