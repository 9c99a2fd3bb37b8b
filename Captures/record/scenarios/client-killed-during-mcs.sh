# shellcheck shell=bash
# client-killed-during-mcs: the user's client dies (kill -9) 0.4 s after it
# was started: the TLS handshake is over and the client is in the MCS
# channel-join sequence (FreeRDP spaces its channel joins ~100 ms apart).
# The client kernel sends a FIN (or a RST if data was unread) on its behalf.
# Expected: client_reset or client_closed / client / mcs_connect (inferred
# from TLS record sizes; decrypted with the .keys file).
scenario() {
    make_cert server
    xrdp_config security_layer=tls "certificate=$WORK/server.crt" "key_file=$WORK/server.key"
    xrdp_start
    client_display_start
    capture_start
    client_bg 10 /v:"$SERVER4" /u:rdcuser /sec:tls /cert:ignore
    wait_until 5 client_child_pid || die "xfreerdp did not start"
    local xf; xf=$(client_child_pid)
    sleep 0.4
    log "kill -9 xfreerdp (pid $xf)"
    kill -KILL "$xf"
    wait "$CLIENT_PID" 2>/dev/null || true
    capture_stop
}
