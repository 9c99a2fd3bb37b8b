# shadow-nla-wrong-password: as shadow-nla-success, but the client sends a
# wrong password.  The NTLM exchange inside CredSSP fails on the server; what
# the server sends (a TSRequest with errorCode, or just a close) is recorded
# as it happens.  FreeRDP may retry; every connection is listed in
# ground-truth.json.
# Expected: nla_failed / server / nla.
scenario() {
    winpr-hash -u rdcuser -p Secret123 -f sam >"$WORK/sam"
    shadow_start /port:3389 /sec:nla "/sam-file:$WORK/sam"
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /p:WrongPassword /sec:nla /cert:ignore
    capture_stop
}
