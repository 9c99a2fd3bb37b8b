# shellcheck shell=bash
# xrdp-neg-nla-client-vs-tls-server: xrdp (security_layer=negotiate, no NLA
# support: xrdp never does CredSSP) and xfreerdp /sec:nla, which offers only
# PROTOCOL_HYBRID.  Recorded: FreeRDP /sec:nla offers TLS|HYBRID (0x3); xrdp
# selects TLS (legitimately); FreeRDP, requiring NLA, sends FIN right after the
# CC; xrdp then writes a cleartext TLS alert record (fatal decode_error) and
# the client kernel RSTs.  No RDP_NEG_FAILURE.
# Expected: client_closed / client / x224_confirm.
scenario() {
    make_cert server
    xrdp_config security_layer=negotiate "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /p:secret /sec:nla /cert:ignore
    capture_stop
}
