# shellcheck shell=bash
# xrdp-tls-success: xrdp (security_layer=tls, its default TLSv1.2/1.3) and
# xfreerdp /sec:tls /cert:ignore.  The client reaches the active phase (xrdp's
# login screen is drawn) and is killed ~4 s after starting.
# Expected: ok / none / active.
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 4 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
