# shellcheck shell=bash
# xrdp-tls-success-sll2: xrdp-tls-success captured with `tcpdump -i any` in
# rdc-gw, so the link type is Linux cooked capture v2 (SLL2).  On a router,
# -i any sees every packet twice: once arriving (g0 or g1) and once leaving
# (the other one), with the TTL one lower on the way out.
# Expected: ok / none / active (one connection, each packet seen twice).
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start any
    client_run 4 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
