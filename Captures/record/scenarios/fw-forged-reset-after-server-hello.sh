# shellcheck shell=bash
# fw-forged-reset-after-server-hello: an in-path IPS / gateway antivirus
# resets the connection when the server's TLS ServerHello flight passes.
# tools/rst_injector.py runs in rdc-fw, sniffs the server side (f1) and
# forges two RST+ACKs towards the client in the server's name: sequence
# numbers stepped by the flight's length (the first is already stale when it
# arrives, the second is the client's rcv_nxt and kills the socket), TTL 64
# (one hop closer than the server's 63 at the gw), IP ID 0 (the server's
# data packets count up), no options.  The server's own flight is forwarded
# untouched and arrives first.  Whether the client's TLS Finished leaves
# before the reset lands varies from run to run: if it does, the server's
# NewSessionTickets follow the forged reset (race signal) and FreeRDP,
# having finished TLS, retries once (the injector resets the retry too);
# if not, the server just waits and the capture ends.  Connection #1 (same
# path, before the injector starts) is a baseline that reaches active.
# Expected: #1 ok / none / active; later ones forged_reset / network /
# tls_server_hello (or tls_established when the Finished got out).
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 3 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    sleep 1
    bg_start injector "$NS_FW" "$PY" "$RIG_DIR/tools/rst_injector.py" --iface f1 \
        --trigger server_hello --count 2 --step len --timeout 20 --ready-file "$WORK/injector.ready"
    wait_until 5 test -f "$WORK/injector.ready" || die "injector did not start"
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    cat "$WORK/injector.log" >&2
    capture_stop
}
