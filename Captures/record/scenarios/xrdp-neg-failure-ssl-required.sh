# shellcheck shell=bash
# xrdp-neg-failure-ssl-required: xrdp with security_layer=tls; a client that
# offers only Standard RDP Security in its RDP_NEG_REQ (requestedProtocols=0,
# sent by tools/negclient.py because `xfreerdp /sec:rdp` sends no RDP_NEG_REQ
# at all).  xrdp answers RDP_NEG_FAILURE SSL_REQUIRED_BY_SERVER (0x1).
# Expected: negotiation_failure / server / x224_confirm.
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    capture_start
    nsx "$NS_CLIENT" timeout -s KILL 10 "$PY" "$RIG_DIR/tools/negclient.py" "$SERVER4" --protocols 0 \
        | tee "$WORK/negclient.log" >&2
    capture_stop
}
