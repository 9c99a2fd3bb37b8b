# shellcheck shell=bash
# fw-reject-tcp-reset-at-syn: two connections.  #1: the path is open and the
# session reaches the active phase (a baseline: the server's packets reach
# the gw with TTL 63 and counting IP IDs).  Then the fw hop starts rejecting:
#   iptables -A FORWARD -p tcp --dport 3389 -j REJECT --reject-with tcp-reset
# #2: the client's SYN is answered by a RST+ACK that the fw forges in the
# server's name: TTL 64 at the gw (the fw is one hop closer), IP ID 0.
# Expected: #1 ok / none / active; #2 forged_reset / network / syn.
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_run 3 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    sleep 1
    ipt_fw -A FORWARD -p tcp --dport 3389 -j REJECT --reject-with tcp-reset
    client_run 8 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
