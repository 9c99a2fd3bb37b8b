# shellcheck shell=bash
# xrdp-tls-success-ipv6: xrdp-tls-success over IPv6 (fd77:1::2 -> fd77:3::2;
# hop limit 63 at the gw for the server's packets).
# Expected: ok / none / active.
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 4 "/v:[$SERVER6]" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
