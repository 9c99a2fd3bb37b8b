# shellcheck shell=bash
# path-mtu-blackhole: the gw's client-side link (g0) has MTU 1200 while the
# client's own interface keeps 1500, so the client still announces MSS 1460
# and the server sends full 1500-byte segments with DF.  The gw cannot
# forward them to the client and its ICMP "fragmentation needed" is dropped
# (iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP in
# rdc-gw): a PMTU black hole.  The capture (gw uplink g1) sees the small
# segments pass and the server's full-size ServerHello flight retransmitted
# again and again, never acknowledged.  The client is killed at 10 s (its
# FIN is small and passes).
# Expected: path_mtu_blackhole / network / tls_server_hello (seen at the gw,
# never delivered to the client).
scenario() {
    openssl req -x509 -newkey rsa:4096 -nodes -sha256 -keyout "$WORK/server.key" \
        -out "$WORK/server.crt" -days 365 -subj "/CN=rdc-server" >/dev/null 2>&1
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    ip -n "$NS_GW" link set g0 mtu 1200
    nsx "$NS_GW" iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
    client_display_start
    capture_start
    client_run 10 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
