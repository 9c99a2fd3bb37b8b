# xrdp-neg-rdp-only-server-vs-tls-client: xrdp with security_layer=rdp (Standard
# RDP Security only); xfreerdp /sec:tls offers only PROTOCOL_SSL.
# Expected: negotiation_failure (SSL_NOT_ALLOWED_BY_SERVER) / server / x224_confirm.
scenario() {
    xrdp_config security_layer=rdp crypt_level=high
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
