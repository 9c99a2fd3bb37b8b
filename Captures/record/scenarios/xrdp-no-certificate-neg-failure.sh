# shellcheck shell=bash
# xrdp-no-certificate-neg-failure: xrdp with security_layer=tls whose
# certificate and key files do not exist (the xrdp analogue of a server
# without a usable TLS certificate).  xfreerdp /sec:tls offers only TLS.
# Recorded: xrdp answers RDP_NEG_FAILURE SSL_CERT_NOT_ON_SERVER (0x3).
# Expected: negotiation_failure / server / x224_confirm.
scenario() {
    xrdp_config security_layer=tls "certificate=$WORK/missing.crt" "key_file=$WORK/missing.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
