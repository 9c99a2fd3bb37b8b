# shellcheck shell=bash
# shadow-nla-wrong-password: as shadow-nla-success, but the client sends a
# wrong password.  The NTLM exchange inside CredSSP fails on the server,
# which answers the client's NTLM AUTHENTICATE with a TLS close_notify and
# FIN (no TSRequest errorCode, unlike Windows with CredSSP v3+).  FreeRDP
# retries once: two connections.
# Expected: nla_failed / server / nla.
scenario() {
    winpr-hash -u rdcuser -p Secret123 -f sam >"$WORK/sam"
    shadow_start /port:3389 /sec:nla "/sam-file:$WORK/sam"
    client_display_start
    capture_start
    client_run 8 /v:"$SERVER4" /u:rdcuser /p:WrongPassword /sec:nla /cert:ignore
    capture_stop
}
