# shellcheck shell=bash
# xrdp-killed-after-client-hello: the server process dies in the middle of the
# TLS handshake.  tools/signal_on.py in rdc-server sniffs s0: when xrdp's
# X.224 Connection Confirm leaves, xrdp (one process, fork=false) is frozen
# with SIGSTOP; when the client's ClientHello arrives it is killed with
# SIGKILL.  The server kernel closes the socket with the ClientHello still
# unread, so it sends a RST (genuine: TTL 63 at the gw, like all the server's
# packets).  No ServerHello ever leaves.
# Expected: server_closed_after_client_hello / server / tls_client_hello.
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    bg_start killer "$NS_SERVER" "$PY" "$RIG_DIR/tools/signal_on.py" --iface s0 --pid "$XRDP_PID" \
        --stop-on cc --kill-on ch --timeout 30 --ready-file "$WORK/killer.ready"
    wait_until 5 test -f "$WORK/killer.ready" || die "killer did not start"
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    cat "$WORK/killer.log" >&2
    capture_stop
}
