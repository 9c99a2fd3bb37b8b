# shellcheck shell=bash
# xrdp-tls10-server-rejected-by-client: TLS version mismatch the other way
# round.  xrdp allows only TLS 1.0 (ssl_protocols=TLSv1, tls_ciphers with
# @SECLEVEL=0 so its OpenSSL 3 still does 1.0); xfreerdp's OpenSSL 3 at its
# default security level 1 accepts nothing below TLS 1.2.  The server answers
# the ClientHello with a TLS 1.0 ServerHello, which the client rejects with
# a fatal internal_error alert (OpenSSL 3's choice, not protocol_version).
# Expected: tls_rejected_by_client / client / tls_server_hello.
scenario() {
    make_cert server
    xrdp_config security_layer=tls ssl_protocols=TLSv1 'tls_ciphers=DEFAULT:@SECLEVEL=0' \
        "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
