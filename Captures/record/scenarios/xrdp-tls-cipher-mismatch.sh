# shellcheck shell=bash
# xrdp-tls-cipher-mismatch: no common cipher suite.  xrdp allows only TLS 1.2
# with tls_ciphers=AES256-GCM-SHA384 (static RSA key exchange); xfreerdp offers
# /tls-ciphers:ECDHE-RSA-AES128-GCM-SHA256 (its TLS 1.3 suites are offered
# too, but the server does not do 1.3).  The server answers the ClientHello
# with a fatal handshake_failure alert.
# Expected: tls_rejected_by_server / server / tls_client_hello.
scenario() {
    make_cert server
    xrdp_config security_layer=tls ssl_protocols=TLSv1.2 tls_ciphers=AES256-GCM-SHA384 \
        "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore /tls-ciphers:ECDHE-RSA-AES128-GCM-SHA256
    capture_stop
}
