# shellcheck shell=bash
# fw-forged-reset-after-client-hello: the IPS/antivirus case with the race.
# tools/rst_injector.py in rdc-fw sniffs the client side (f0); on the
# client's TLS ClientHello it forges a burst of three RST+ACKs towards the
# client in the server's name (seq = the server's next sequence number, then
# +1460, +2920; TTL 64, one hop closer than the server; IP ID 0; no options).
# The ClientHello itself is forwarded, and the real server (RSA-4096 key, so
# its signature takes a few ms longer than the injector) answers with its
# ServerHello flight after "its own" reset: the race signal.  The client's
# kernel, whose socket is gone, answers that flight with a RST.
# Connection #1 (same path, before the injector starts) is a baseline.
# Expected: #1 ok / none / active; #2 forged_reset / network / tls_server_hello
# (the real ServerHello is seen at the gw after the forged RSTs).
scenario() {
    openssl req -x509 -newkey rsa:4096 -nodes -sha256 -keyout "$WORK/server.key" \
        -out "$WORK/server.crt" -days 365 -subj "/CN=rdc-server" >/dev/null 2>&1
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 3 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    sleep 1
    bg_start injector "$NS_FW" "$PY" "$RIG_DIR/tools/rst_injector.py" --iface f0 \
        --trigger client_hello --count 3 --step 1460 --timeout 20 --ready-file "$WORK/injector.ready"
    wait_until 5 test -f "$WORK/injector.ready" || die "injector did not start"
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    cat "$WORK/injector.log" >&2
    capture_stop
}
