# shellcheck shell=bash
# client-killed-after-server-hello: the client process dies in the middle of
# the TLS handshake.  tools/signal_on.py in rdc-client sniffs c0: when
# xfreerdp's ClientHello leaves, xfreerdp is frozen with SIGSTOP; when the
# server's ServerHello flight arrives it is killed with SIGKILL.  The client
# kernel closes the socket with that flight unread and sends a RST.
# Expected: client_reset / client / tls_server_hello.
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_bg 10 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    wait_until 5 client_child_pid || die "xfreerdp did not start"
    local xf; xf=$(client_child_pid)
    bg_start killer "$NS_CLIENT" "$PY" "$RIG_DIR/tools/signal_on.py" --iface c0 --pid "$xf" \
        --stop-on ch --kill-on sh --timeout 15 --ready-file "$WORK/killer.ready"
    wait "$CLIENT_PID" 2>/dev/null || true
    cat "$WORK/killer.log" >&2
    capture_stop
}
