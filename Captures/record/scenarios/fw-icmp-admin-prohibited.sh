# shellcheck shell=bash
# fw-icmp-admin-prohibited: the fw hop rejects the SYN with an ICMP
# destination unreachable, code 13 (communication administratively
# prohibited):  iptables -A FORWARD -p tcp --dport 3389 -j REJECT
#               --reject-with icmp-admin-prohibited
# Expected: icmp_unreachable / network / syn.
scenario() {
    xrdp_config security_layer=tls
    xrdp_start
    ipt_fw -A FORWARD -p tcp --dport 3389 -j REJECT --reject-with icmp-admin-prohibited
    client_display_start
    capture_start
    client_run 10 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore /timeout:8000
    capture_stop
}
