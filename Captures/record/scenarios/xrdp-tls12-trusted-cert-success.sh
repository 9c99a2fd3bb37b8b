# shellcheck shell=bash
# xrdp-tls12-trusted-cert-success: TLS 1.2 (certificate in the clear on the
# wire), certificate signed by a CA the client trusts (SSL_CERT_FILE), valid
# dates, name matching /v:, so xfreerdp accepts it without /cert:ignore and
# without a prompt.  Baseline for the certificate scenarios.
# Expected: ok / none / active.
scenario() {
    make_ca
    make_signed_cert server
    xrdp_config security_layer=tls ssl_protocols=TLSv1.2 \
        "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    CLIENT_ENV=(SSL_CERT_FILE="$WORK/ca.crt")
    client_run 4 /v:"$SERVER4" /u:rdcuser /sec:tls
    capture_stop
}
