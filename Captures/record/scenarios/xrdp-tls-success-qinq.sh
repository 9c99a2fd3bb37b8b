# shellcheck shell=bash
# xrdp-tls-success-qinq: as xrdp-tls-success-vlan with stacked tags (QinQ):
# an 802.1ad S-tag (TPID 0x88a8, VID 200) outside an 802.1Q C-tag (TPID
# 0x8100, VID 100).  Filter: vlan and vlan and tcp.
# Expected: ok / none / active.
VARIANT=qinq
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start "$CAP_IF" vlan and vlan and tcp
    client_run 4 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
