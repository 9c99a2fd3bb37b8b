# shellcheck shell=bash
# fw-drop-no-answer: the fw hop silently drops everything to port 3389
# (iptables -A FORWARD -p tcp --dport 3389 -j DROP).  xfreerdp's SYN is
# retransmitted (1 s, 3 s, 7 s...) until the client gives up (/timeout:9000)
# or is killed at 12 s.
# Expected: no_answer / network / syn.
scenario() {
    xrdp_config security_layer=tls
    xrdp_start
    ipt_fw -A FORWARD -p tcp --dport 3389 -j DROP
    client_display_start
    capture_start
    client_run 12 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore /timeout:9000
    capture_stop
}
