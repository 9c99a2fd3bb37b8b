# shellcheck shell=bash
# xrdp-self-signed-cert-rejected-by-client: the server's certificate is
# self-signed (valid dates); the client trusts no CA for it and has no
# /cert:ignore and no terminal: the certificate prompt reads EOF and FreeRDP
# refuses the certificate.  TLS 1.2 so the certificate is visible.
# Expected: certificate_rejected_by_client / client / tls_established.
scenario() {
    make_cert server
    xrdp_config security_layer=tls ssl_protocols=TLSv1.2 \
        "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls
    capture_stop
}
