# shellcheck shell=bash
# port-closed-server-rst: nothing listens on 3389 in rdc-server; the server's
# kernel answers the SYN with RST+ACK (TTL 64 at the server, 63 at the gw:
# one router hop, the fw).  xfreerdp gives up.
# Expected: port_closed / server / syn.
scenario() {
    client_display_start
    capture_start
    client_run 10 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
