# shellcheck shell=bash
# xrdp-cert-expired-client-refuses: as xrdp-cert-expired-client-ignores, but
# the client has no /cert:ignore.  The CA is trusted and the name matches, so
# expiry is the only fault; FreeRDP then asks the user, reads EOF from
# /dev/null and refuses the certificate.
# Expected: certificate_expired / server / tls_established (client closes
# right after the handshake).
scenario() {
    make_ca
    make_signed_cert server '2024-01-01 00:00:00' 30
    xrdp_config security_layer=tls ssl_protocols=TLSv1.2 \
        "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    CLIENT_ENV=(SSL_CERT_FILE="$WORK/ca.crt")
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls
    capture_stop
}
