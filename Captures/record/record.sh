#!/usr/bin/env bash
# record.sh - remake the recorded captures of Captures/.
#
#   sudo ./record.sh list            list scenarios
#   sudo ./record.sh all             record every scenario, one after another
#   sudo ./record.sh NAME [NAME...]  record the named scenarios
#
# Each scenario lives in scenarios/NAME.sh and writes Captures/NAME.pcap (and
# Captures/NAME.keys when the client did TLS).  Every scenario runs in a fresh
# child process with a fresh set of namespaces (netns.sh) and a fresh temp
# dir, bounded by a hard time limit; its EXIT trap ends the processes it
# started (by PID), deletes the namespaces and the temp dir, also on failure.
# Set RIG_KEEP_WORK=1 to keep the temp dir (logs of xrdp, client, tcpdump),
# RIG_OUT=DIR to write the captures to DIR instead of Captures/.
set -euo pipefail

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCENARIO_LIMIT=${SCENARIO_LIMIT:-150}   # seconds per scenario, hard limit

scenarios() { (cd "$RIG_DIR/scenarios" && ls ./*.sh | sed 's#^\./##; s#\.sh$##' | sort); }

run_one() {
    local name=$1
    local file="$RIG_DIR/scenarios/$name.sh"
    [[ -f "$file" ]] || { echo "no scenario $name" >&2; return 2; }
    # shellcheck source=lib.sh
    source "$RIG_DIR/lib.sh"
    VARIANT=plain
    SCENARIO_NAME=$name
    # shellcheck disable=SC1090
    source "$file"
    trap rig_cleanup EXIT
    trap 'exit 130' INT TERM
    rig_setup "$VARIANT"
    build_keylog
    log "=== scenario $name ==="
    scenario
    log "=== scenario $name done ==="
}

main() {
    [[ $EUID -eq 0 ]] || { echo "record.sh must run as root (namespaces, iptables, tcpdump)" >&2; exit 2; }
    case "${1:-}" in
        ""|-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        list) scenarios; exit 0 ;;
        --one) shift; run_one "$1"; exit $? ;;
        all) mapfile -t names < <(scenarios); set -- "${names[@]}" ;;
    esac
    local name failed=()
    for name in "$@"; do
        if ! timeout -s TERM -k 10 "$SCENARIO_LIMIT" "$0" --one "$name"; then
            failed+=("$name")
            echo "scenario $name FAILED" >&2
        fi
    done
    if (( ${#failed[@]} )); then
        echo "failed: ${failed[*]}" >&2
        exit 1
    fi
}

main "$@"
