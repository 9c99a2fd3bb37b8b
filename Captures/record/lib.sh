# lib.sh - helpers shared by record.sh and the scenarios (sourced, not run).
#
# Conventions
#   * Every background process is started through `bg_start`, which records
#     its PID; `rig_cleanup` (installed as an EXIT trap by record.sh) ends
#     exactly those PIDs, then deletes the namespaces (netns.sh down) and the
#     scenario's temp dir.  Nothing is killed by name.
#   * Every wait loop is bounded (`wait_until SECONDS CMD...`).
#   * The client always runs under `timeout -s KILL`, so no scenario can hang.
# shellcheck shell=bash

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Output directory: Captures/ itself, or RIG_OUT (e.g. a scratch dir to
# compare a fresh recording with the committed one).
CAPTURES_DIR=${RIG_OUT:-$(cd "$RIG_DIR/.." && pwd)}
PY=${PYTHON:-/usr/bin/python3}

NS_CLIENT=rdc-client
NS_GW=rdc-gw
NS_FW=rdc-fw
NS_SERVER=rdc-server
SERVER4=10.77.3.2
SERVER6=fd77:3::2
CLIENT4=10.77.1.2
CLIENT6=fd77:1::2
CAP_IF=g1              # the gateway's uplink towards fw and server
CLIENT_DISPLAY=:177    # private Xvfb in rdc-client
SERVER_DISPLAY=:178    # private Xvfb in rdc-server (freerdp-shadow-cli)

BG_PIDS=()
WORK=""
TCPDUMP_PID=""

log() { printf '[rig %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# wait_until SECONDS CMD... : poll CMD every 0.1 s, at most SECONDS.
wait_until() {
    local limit=$1; shift
    local i n=$(( limit * 10 ))
    for (( i = 0; i < n; i++ )); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    return 1
}

# bg_start NAME NS CMD... : start CMD in namespace NS in the background,
# output to $WORK/NAME.log; sets BG_LAST to its PID (ip netns exec execs the
# command, so the PID is the command's own).
bg_start() {
    local name=$1 ns=$2; shift 2
    ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 </dev/null &
    BG_LAST=$!
    BG_PIDS+=("$BG_LAST")
    log "started $name (pid $BG_LAST) in $ns"
}

# bg_stop PID [SIGNAL] : signal one of our PIDs and wait (bounded) for it.
bg_stop() {
    local pid=$1 sig=${2:-TERM} i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -"$sig" "$pid" 2>/dev/null || true
    for (( i = 0; i < 30; i++ )); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

rig_setup() {
    local variant=${1:-plain}
    WORK=$(mktemp -d /tmp/rdc-rec.XXXXXX)
    mkdir -p "$WORK/home"
    "$RIG_DIR/netns.sh" up "$variant"
    case "$variant" in
        vlan|qinq)
            local outer=(); [[ "$variant" == qinq ]] && outer=(--outer 200)
            bg_start tagger-gw "$NS_GW" "$PY" "$RIG_DIR/tools/vlan_tagger.py" \
                --access gv --trunk gt --vid 100 "${outer[@]}" --timeout 120
            bg_start tagger-fw "$NS_FW" "$PY" "$RIG_DIR/tools/vlan_tagger.py" \
                --access fv --trunk ft --vid 100 "${outer[@]}" --timeout 120
            sleep 0.5
            wait_until 5 nsx "$NS_CLIENT" ping -c1 -W1 "$SERVER4" || die "no path through the VLAN trunk"
            wait_until 5 nsx "$NS_CLIENT" ping -6 -c1 -W1 "$SERVER6" || true
            CAP_IF=gt ;;
    esac
}

rig_cleanup() {
    local rc=$?
    local pid
    set +e
    if [[ -n "$TCPDUMP_PID" ]]; then bg_stop "$TCPDUMP_PID" INT; fi
    for pid in "${BG_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    sleep 0.3
    for pid in "${BG_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    "$RIG_DIR/netns.sh" down
    if [[ -n "$WORK" && -d "$WORK" && -z "${RIG_KEEP_WORK:-}" ]]; then rm -rf "$WORK"; fi
    return $rc
}

# ---------------------------------------------------------------- capture

# capture_start [IFACE] [FILTER...] : tcpdump in rdc-gw, full snap length,
# immediate mode so nothing is left in the ring buffer at stop.
# Neighbour discovery / ARP / MLD chatter (ICMPv6 informational types >= 128,
# and IPv6 packets with a hop-by-hop header, i.e. MLD reports) is filtered out
# by default; ICMP and ICMPv6 errors (types < 128) are kept.
DEFAULT_FILTER='not arp and not (icmp6 and ip6[40] >= 128) and not (ip6 and ip6[6] == 0)'
capture_start() {
    local ifc=${1:-$CAP_IF}; shift || true
    local filter=${*:-$DEFAULT_FILTER}
    [[ "$filter" == "none" ]] && filter=""
    ip netns exec "$NS_GW" tcpdump -i "$ifc" -s 0 --immediate-mode -U -Z root \
        -w "$WORK/capture.pcap" $filter >"$WORK/tcpdump.log" 2>&1 </dev/null &
    TCPDUMP_PID=$!
    BG_PIDS+=("$TCPDUMP_PID")
    wait_until 5 grep -q 'listening on' "$WORK/tcpdump.log" || die "tcpdump did not start"
    sleep 0.2
}

# capture_stop [NAME] : stop tcpdump (after a short drain) and copy the file
# to Captures/NAME.pcap (and $WORK/client.keys to Captures/NAME.keys if any).
capture_stop() {
    local name=${1:-$SCENARIO_NAME}
    sleep 1
    bg_stop "$TCPDUMP_PID" INT
    TCPDUMP_PID=""
    cp "$WORK/capture.pcap" "$CAPTURES_DIR/$name.pcap"
    chmod 644 "$CAPTURES_DIR/$name.pcap"
    if [[ -s "$WORK/client.keys" ]]; then
        cp "$WORK/client.keys" "$CAPTURES_DIR/$name.keys"
        chmod 644 "$CAPTURES_DIR/$name.keys"
    else
        rm -f "$CAPTURES_DIR/$name.keys"
    fi
    log "wrote $CAPTURES_DIR/$name.pcap ($(stat -c %s "$CAPTURES_DIR/$name.pcap") bytes)$([[ -s "$WORK/client.keys" ]] && echo ' + .keys')"
}

# ---------------------------------------------------------------- certificates

# make_cert NAME [faketime-spec] [days] : self-signed RSA-2048 certificate for
# CN=rdc-server in $WORK/NAME.crt / NAME.key.  With a faketime spec the
# certificate is issued "at" that date (e.g. '2023-01-01 00:00:00' with 30
# days: expired on 2023-01-31).
make_cert() {
    local name=$1 when=${2:-} days=${3:-365}
    local cmd=(openssl req -x509 -newkey rsa:2048 -nodes -sha256
        -keyout "$WORK/$name.key" -out "$WORK/$name.crt" -days "$days"
        -subj "/CN=rdc-server" -addext "subjectAltName=DNS:rdc-server,IP:$SERVER4,IP:$SERVER6"
        -addext "extendedKeyUsage=serverAuth")
    if [[ -n "$when" ]]; then
        faketime "$when" "${cmd[@]}" >/dev/null 2>&1
    else
        "${cmd[@]}" >/dev/null 2>&1
    fi
    log "certificate $name: $(openssl x509 -in "$WORK/$name.crt" -noout -startdate -enddate | tr '\n' ' ')"
}

# make_ca : a private CA in $WORK/ca.crt / ca.key.  Clients that should trust
# it get SSL_CERT_FILE=$WORK/ca.crt (OpenSSL's default verify paths, which
# FreeRDP's certificate check uses).
make_ca() {
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -keyout "$WORK/ca.key" -out "$WORK/ca.crt" \
        -days 3650 -subj "/CN=rdc test CA" >/dev/null 2>&1
}

# make_signed_cert NAME [faketime-spec] [days] : RSA-2048 certificate for the
# server signed by the rig CA; CN and DNS name are the server's address as the
# client types it (FreeRDP matches /v: against CN and DNS names).
make_signed_cert() {
    local name=$1 when=${2:-} days=${3:-365}
    openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$WORK/$name.key" -out "$WORK/$name.csr" \
        -subj "/CN=$SERVER4" >/dev/null 2>&1
    printf 'subjectAltName=DNS:%s,IP:%s\nextendedKeyUsage=serverAuth\n' "$SERVER4" "$SERVER4" >"$WORK/$name.ext"
    local cmd=(openssl x509 -req -in "$WORK/$name.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key"
        -CAcreateserial -days "$days" -sha256 -extfile "$WORK/$name.ext" -out "$WORK/$name.crt")
    if [[ -n "$when" ]]; then faketime "$when" "${cmd[@]}" >/dev/null 2>&1
    else "${cmd[@]}" >/dev/null 2>&1; fi
    log "certificate $name: $(openssl x509 -in "$WORK/$name.crt" -noout -startdate -enddate | tr '\n' ' ')"
}

# ---------------------------------------------------------------- server: xrdp

# xrdp_config KEY=VALUE... : copy /etc/xrdp to $WORK/xrdp and set [Globals]
# keys in its xrdp.ini (keys not present are added to [Globals]).
xrdp_config() {
    rm -rf "$WORK/xrdp"
    cp -r /etc/xrdp "$WORK/xrdp"
    local ini="$WORK/xrdp/xrdp.ini" kv key val
    # Defaults for the rig: one process (fork=false) so it can be killed by
    # one PID, a log file in the temp dir, no syslog.
    for kv in fork=false "LogFile=$WORK/xrdp.log" LogLevel=DEBUG EnableSyslog=false "$@"; do
        key=${kv%%=*}; val=${kv#*=}
        if grep -qE "^#?${key}=" "$ini"; then
            # first occurrence only (the [Globals] one for shared names)
            sed -i -E "0,/^#?${key}=.*/s##${key}=${val//#/\\#}#" "$ini"
        else
            sed -i -E "0,/^\[Globals\]/s##[Globals]\n${key}=${val//#/\\#}#" "$ini"
        fi
    done
}

# xrdp_start : run xrdp (no daemon) in rdc-server with $WORK/xrdp/xrdp.ini and
# wait until it listens on 3389.
xrdp_start() {
    # (xrdp -n writes no pid file, so an xrdp on the host would not stop it;
    # the listening socket lives in rdc-server's own network namespace.)
    bg_start xrdp "$NS_SERVER" xrdp -n -c "$WORK/xrdp/xrdp.ini"
    XRDP_PID=$BG_LAST
    wait_until 10 server_listening || die "xrdp did not listen (see $WORK/xrdp.log)"
}

server_listening() { nsx "$NS_SERVER" ss -Hltn 'sport = :3389' | grep -q LISTEN; }

# ---------------------------------------------------------------- server: FreeRDP shadow (NLA)

# shadow_start ARGS... : freerdp-shadow-cli on a private Xvfb in rdc-server.
shadow_start() {
    bg_start xvfb-server "$NS_SERVER" Xvfb "$SERVER_DISPLAY" -nolisten tcp -screen 0 1024x768x24
    wait_until 10 nsx "$NS_SERVER" env DISPLAY="$SERVER_DISPLAY" xdpyinfo || true
    sleep 0.5
    bg_start shadow "$NS_SERVER" env DISPLAY="$SERVER_DISPLAY" HOME="$WORK/home" \
        freerdp-shadow-cli "$@"
    SHADOW_PID=$BG_LAST
    wait_until 15 server_listening || die "freerdp-shadow-cli did not listen"
}

# ---------------------------------------------------------------- client: xfreerdp

client_display_start() {
    bg_start xvfb-client "$NS_CLIENT" Xvfb "$CLIENT_DISPLAY" -nolisten tcp -screen 0 1024x768x24
    sleep 0.8
}

# build the key-log preload library into $WORK (never committed)
build_keylog() {
    gcc -shared -fPIC -O2 -o "$WORK/sslkeylog.so" "$RIG_DIR/keylog/sslkeylog.c" -ldl -lssl \
        || die "cannot build keylog/sslkeylog.c (needs gcc, libssl-dev)"
}

# client_run SECONDS ARGS... : run xfreerdp in rdc-client for at most SECONDS
# (then SIGKILL), with the TLS key log going to $WORK/client.keys, stdin
# from /dev/null (so a certificate prompt reads EOF).  Output: $WORK/client.log.
# Extra environment for the client can be given in CLIENT_ENV (array).
CLIENT_ENV=()
client_run() {
    local secs=$1; shift
    log "client: xfreerdp $* (killed after ${secs}s)"
    local rc=0
    ip netns exec "$NS_CLIENT" env DISPLAY="$CLIENT_DISPLAY" HOME="$WORK/home" \
        LD_PRELOAD="$WORK/sslkeylog.so" SSLKEYLOGFILE="$WORK/client.keys" "${CLIENT_ENV[@]}" \
        timeout -s KILL "$secs" xfreerdp /log-level:INFO "$@" \
        </dev/null >>"$WORK/client.log" 2>&1 || rc=$?
    log "client exit status $rc"
    CLIENT_RC=$rc
}

# client_bg SECONDS ARGS... : same, in the background (CLIENT_PID = timeout's PID)
client_bg() {
    local secs=$1; shift
    log "client (bg): xfreerdp $* (killed after ${secs}s)"
    ip netns exec "$NS_CLIENT" env DISPLAY="$CLIENT_DISPLAY" HOME="$WORK/home" \
        LD_PRELOAD="$WORK/sslkeylog.so" SSLKEYLOGFILE="$WORK/client.keys" "${CLIENT_ENV[@]}" \
        timeout -s KILL "$secs" xfreerdp /log-level:INFO "$@" \
        </dev/null >>"$WORK/client.log" 2>&1 &
    CLIENT_PID=$!
    BG_PIDS+=("$CLIENT_PID")
}

# client_pid_of_xfreerdp : the xfreerdp child of our `timeout` process
client_child_pid() { pgrep -P "$CLIENT_PID" -x xfreerdp | head -1; }

ipt_fw()  { nsx "$NS_FW" iptables "$@"; }
ip6t_fw() { nsx "$NS_FW" ip6tables "$@"; }
