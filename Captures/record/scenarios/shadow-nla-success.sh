# shellcheck shell=bash
# shadow-nla-success: NLA (CredSSP) done right.  freerdp-shadow-cli (FreeRDP's
# server, sharing a private Xvfb in rdc-server) with /sec:nla and a SAM file
# holding rdcuser's NT hash (made with winpr-hash); xfreerdp /sec:nla with the
# right password.  The client is killed ~4 s after start.
# Expected: ok / none / active (nla stage observed with the .keys file).
scenario() {
    winpr-hash -u rdcuser -p Secret123 -f sam >"$WORK/sam"
    shadow_start /port:3389 /sec:nla "/sam-file:$WORK/sam"
    client_display_start
    capture_start
    client_run 4 /v:"$SERVER4" /u:rdcuser /p:Secret123 /sec:nla /cert:ignore
    capture_stop
}
