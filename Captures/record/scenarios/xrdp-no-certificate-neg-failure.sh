# xrdp-no-certificate-neg-failure: xrdp with security_layer=tls whose
# certificate and key files do not exist (the xrdp analogue of a server
# without a usable TLS certificate).  xfreerdp /sec:tls offers only TLS.
# What xrdp answers is recorded as it happens (see ground-truth.json).
scenario() {
    xrdp_config security_layer=tls "certificate=$WORK/missing.crt" "key_file=$WORK/missing.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
