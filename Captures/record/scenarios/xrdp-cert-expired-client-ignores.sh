# shellcheck shell=bash
# xrdp-cert-expired-client-ignores: the server's certificate (signed by the
# trusted rig CA) expired on 2024-01-31 (issued under faketime on 2024-01-01
# for 30 days); TLS 1.2 so it is visible.  xfreerdp /cert:ignore goes on.
# Expected: ok / none / active, with an expired-certificate warning.
scenario() {
    make_ca
    make_signed_cert server '2024-01-01 00:00:00' 30
    xrdp_config security_layer=tls ssl_protocols=TLSv1.2 \
        "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    CLIENT_ENV=(SSL_CERT_FILE="$WORK/ca.crt")
    client_run 4 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
