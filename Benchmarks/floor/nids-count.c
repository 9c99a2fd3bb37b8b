/*
 * nids-count: reassembles every TCP stream of a capture with libnids and counts the
 * bytes it delivers in order, as a reference point for rdpdiag's reassembler.
 *
 * libnids (Debian libnids-dev) only follows IPv4 TCP streams whose SYN/SYN-ACK it saw;
 * IPv6 flows and streams already open at the capture start are not counted.
 * Checksums are not verified (generated or offloaded checksums must not matter),
 * port-scan detection is off, and the stream table is large enough for every
 * connection of the benchmark files.
 *
 *   nids-count FILE   ->   "<streams> streams <bytes> bytes delivered (<warnings> warnings)"
 */
#include <nids.h>
#include <stdio.h>

static unsigned long long streams, delivered, warnings;

static void on_tcp(struct tcp_stream *stream, void **unused) {
    (void)unused;
    switch (stream->nids_state) {
    case NIDS_JUST_EST:
        /* Ask for the data of both directions. */
        stream->client.collect++;
        stream->server.collect++;
        streams++;
        break;
    case NIDS_DATA:
        /* New in-order bytes in either direction; libnids discards them after we return. */
        delivered += (unsigned long long)stream->client.count_new;
        delivered += (unsigned long long)stream->server.count_new;
        break;
    default:
        /* NIDS_CLOSE, NIDS_RESET, NIDS_TIMED_OUT, NIDS_EXITING: nothing left to count. */
        break;
    }
}

/* libnids reports oddities through syslog by default; count them instead. */
static void quiet_syslog(int type, int errnum, struct ip *iph, void *data) {
    (void)type; (void)errnum; (void)iph; (void)data;
    warnings++;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: nids-count FILE\n");
        return 2;
    }
    nids_params.filename = argv[1];
    nids_params.device = NULL;
    nids_params.n_tcp_streams = 1 << 17;  /* hash size; libnids tracks up to 3/4 of it at once */
    nids_params.n_hosts = 1024;
    nids_params.scan_num_hosts = 0;       /* no port-scan detection */
    nids_params.syslog = quiet_syslog;
    nids_params.multiproc = 0;
    /* Skip checksum verification for every address (mask 0 matches all). */
    static struct nids_chksum_ctl no_checksums = {0, 0, NIDS_DONT_CHKSUM, 0};
    nids_register_chksum_ctl(&no_checksums, 1);
    if (!nids_init()) {
        fprintf(stderr, "nids-count: %s\n", nids_errbuf);
        return 2;
    }
    nids_register_tcp(on_tcp);
    nids_run();
    printf("%llu streams %llu bytes delivered (%llu warnings)\n", streams, delivered, warnings);
    return 0;
}
