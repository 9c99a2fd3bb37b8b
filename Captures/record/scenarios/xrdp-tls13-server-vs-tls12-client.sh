# shellcheck shell=bash
# xrdp-tls13-server-vs-tls12-client: TLS version mismatch.  xrdp with
# ssl_protocols=TLSv1.3 (security_layer=tls); xfreerdp +enforce-tlsv1_2 caps
# the client at TLS 1.2.  The server answers the ClientHello with a fatal
# protocol_version alert.
# Expected: tls_rejected_by_server / server / tls_client_hello.
scenario() {
    make_cert server
    xrdp_config security_layer=tls ssl_protocols=TLSv1.3 \
        "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore +enforce-tlsv1_2
    capture_stop
}
