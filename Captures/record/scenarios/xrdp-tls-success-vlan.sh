# shellcheck shell=bash
# xrdp-tls-success-vlan: xrdp-tls-success captured on an 802.1Q trunk: the
# gw-fw link carries VLAN 100 (tags added/removed by tools/vlan_tagger.py, see
# netns.sh) and tcpdump listens on the trunk port gt in rdc-gw, so every frame
# carries an 802.1Q tag (TPID 0x8100, VID 100).  Filter: vlan and tcp.
# Expected: ok / none / active.
VARIANT=vlan
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start "$CAP_IF" vlan and tcp
    client_run 4 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    capture_stop
}
