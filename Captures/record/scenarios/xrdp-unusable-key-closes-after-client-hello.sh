# shellcheck shell=bash
# xrdp-unusable-key-closes-after-client-hello: the certificate file exists but
# the private key file is unusable (a corrupt PEM: the xrdp analogue of a
# Windows server whose MachineKeys private key cannot be read).  xrdp accepts
# the negotiation (the files exist), then fails to set up TLS when the
# ClientHello arrives: it writes a cleartext MCS Disconnect Provider
# Ultimatum and closes with RST (no ServerHello, no TLS alert).
# Expected: server_closed_after_client_hello / server / tls_client_hello.
scenario() {
    make_cert server
    printf -- '-----BEGIN PRIVATE KEY-----\nthis is not a key\n-----END PRIVATE KEY-----\n' >"$WORK/corrupt.key"
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/corrupt.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
