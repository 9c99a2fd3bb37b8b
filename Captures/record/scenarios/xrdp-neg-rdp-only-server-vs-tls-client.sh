# shellcheck shell=bash
# xrdp-neg-rdp-only-server-vs-tls-client: xrdp with security_layer=rdp (Standard
# RDP Security only); xfreerdp /sec:tls offers only PROTOCOL_SSL.
# Recorded: xrdp does not send RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER as
# Windows would; it answers RDP_NEG_RSP selectedProtocol=0 (PROTOCOL_RDP, not
# offered by the client) and FreeRDP closes at once (FIN), then xrdp FINs.
# Expected: negotiation_failure / server / x224_confirm (a literal reading of
# the close alone: client_closed / client).
scenario() {
    xrdp_config security_layer=rdp crypt_level=high
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
