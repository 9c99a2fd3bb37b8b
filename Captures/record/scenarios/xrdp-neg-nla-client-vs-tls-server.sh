# xrdp-neg-nla-client-vs-tls-server: xrdp (security_layer=negotiate, no NLA
# support: xrdp never does CredSSP) and xfreerdp /sec:nla, which offers only
# PROTOCOL_HYBRID.  What xrdp answers is recorded as it happens (see
# ground-truth.json).
scenario() {
    make_cert server
    xrdp_config security_layer=negotiate "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /p:secret /sec:nla /cert:ignore
    capture_stop
}
