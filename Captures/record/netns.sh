#!/usr/bin/env bash
# Build or tear down the recording network: four Linux network namespaces
# joined by veth pairs.  Nothing here touches the host's own interfaces or
# routes; every address exists only inside these namespaces.
#
#   rdc-client  c0 ---- g0  rdc-gw  g1 ---- f0  rdc-fw  f1 ---- s0  rdc-server
#   10.77.1.2        10.77.1.1  10.77.2.1  10.77.2.2  10.77.3.1    10.77.3.2
#   fd77:1::2        fd77:1::1  fd77:2::1  fd77:2::2  fd77:3::1    fd77:3::2
#
# rdc-gw and rdc-fw are routers (forwarding on, TTL/hop limit decremented at
# each), so a packet the fw hop forges reaches the gw with a TTL one higher
# than a packet the server sent.  tcpdump runs in rdc-gw on g1 (its uplink
# towards fw and server), the vantage point of a capture on a Linux gateway.
#
# Usage:  netns.sh up [plain|vlan|qinq]   build (default plain)
#         netns.sh down                   delete the namespaces (and so the veths)
#
# Variants change only the gw-fw link.  "vlan" and "qinq" make it an 802.1Q
# (VID 100) or 802.1ad QinQ (S-VID 200, C-VID 100) trunk.  This machine's
# kernel has no 8021q module and no tc vlan action, so the tags are added and
# removed in user space by tools/vlan_tagger.py (started by lib.sh, not here):
#
#   rdc-gw: g1 (IP) == gv  <tagger>  gt ==trunk== ft  <tagger>  fv == f0 (IP) :rdc-fw
#
# and the capture is taken on the trunk port gt in rdc-gw.
set -euo pipefail

NS_CLIENT=rdc-client
NS_GW=rdc-gw
NS_FW=rdc-fw
NS_SERVER=rdc-server
ALL_NS=("$NS_CLIENT" "$NS_GW" "$NS_FW" "$NS_SERVER")

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

down() {
    local ns pid
    for ns in "${ALL_NS[@]}"; do
        if ip netns list | grep -qw "^$ns"; then
            # Every process still inside one of our namespaces was started by
            # this rig; end them by PID before deleting the namespace.
            for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill -KILL "$pid" 2>/dev/null || true
            done
            ip netns delete "$ns"
        fi
    done
}

up() {
    local variant=${1:-plain}
    down
    local ns
    for ns in "${ALL_NS[@]}"; do
        ip netns add "$ns"
        nsx "$ns" ip link set lo up
        # No DAD delay, no router solicitations: addresses usable at once.
        nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
        nsx "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0
    done

    # veth pairs are created directly inside the namespaces (never on the host).
    ip -n "$NS_CLIENT" link add c0 type veth peer name g0 netns "$NS_GW"
    ip -n "$NS_GW"     link add g1 type veth peer name f0 netns "$NS_FW"   # replaced in vlan/qinq
    ip -n "$NS_FW"     link add f1 type veth peer name s0 netns "$NS_SERVER"
    # Checksum offload off, so the capture holds correct checksums.
    local pair
    for pair in "$NS_CLIENT c0" "$NS_GW g0" "$NS_GW g1" "$NS_FW f0" "$NS_FW f1" "$NS_SERVER s0"; do
        set -- $pair
        nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
        ip -n "$1" link set "$2" up
    done

    # gw-fw link: plain (g1 == f0), or through a user-space VLAN trunk.
    case "$variant" in
        plain) ;;
        vlan|qinq)
            # g1 and f0 keep their addresses; their veths now end in access
            # ports gv / fv, and a trunk pair gt (rdc-gw) == ft (rdc-fw) joins
            # the two taggers.  No IPv6 on the bridge ports, no offloads.
            ip -n "$NS_GW" link del g1
            ip -n "$NS_GW" link add g1 type veth peer name gv
            ip -n "$NS_FW" link add f0 type veth peer name fv
            ip -n "$NS_GW" link add gt type veth peer name ft netns "$NS_FW"
            # room for up to two tags on the trunk
            ip -n "$NS_GW" link set gt mtu 1508
            ip -n "$NS_FW" link set ft mtu 1508
            for pair in "$NS_GW g1" "$NS_GW gv" "$NS_GW gt" "$NS_FW f0" "$NS_FW fv" "$NS_FW ft"; do
                set -- $pair
                case "$2" in gv|gt|fv|ft) nsx "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" ;; esac
                nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
                ip -n "$1" link set "$2" up
            done ;;
        *) echo "netns.sh: unknown variant $variant" >&2; exit 2 ;;
    esac
    local gwif=g1 fwif=f0

    ip -n "$NS_CLIENT" addr add 10.77.1.2/24 dev c0
    ip -n "$NS_CLIENT" addr add fd77:1::2/64 dev c0 nodad
    ip -n "$NS_GW"     addr add 10.77.1.1/24 dev g0
    ip -n "$NS_GW"     addr add fd77:1::1/64 dev g0 nodad
    ip -n "$NS_GW"     addr add 10.77.2.1/24 dev "$gwif"
    ip -n "$NS_GW"     addr add fd77:2::1/64 dev "$gwif" nodad
    ip -n "$NS_FW"     addr add 10.77.2.2/24 dev "$fwif"
    ip -n "$NS_FW"     addr add fd77:2::2/64 dev "$fwif" nodad
    ip -n "$NS_FW"     addr add 10.77.3.1/24 dev f1
    ip -n "$NS_FW"     addr add fd77:3::1/64 dev f1 nodad
    ip -n "$NS_SERVER" addr add 10.77.3.2/24 dev s0
    ip -n "$NS_SERVER" addr add fd77:3::2/64 dev s0 nodad

    # Routers.
    for ns in "$NS_GW" "$NS_FW"; do
        nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    done
    # Routes: only towards the 10.77/16 and fd77::/16 ranges of this rig.
    ip -n "$NS_CLIENT" route add 10.77.0.0/16 via 10.77.1.1
    ip -n "$NS_CLIENT" -6 route add fd77::/16 via fd77:1::1
    ip -n "$NS_GW"     route add 10.77.3.0/24 via 10.77.2.2
    ip -n "$NS_GW"     -6 route add fd77:3::/64 via fd77:2::2
    ip -n "$NS_FW"     route add 10.77.1.0/24 via 10.77.2.1
    ip -n "$NS_FW"     -6 route add fd77:1::/64 via fd77:2::1
    ip -n "$NS_SERVER" route add 10.77.0.0/16 via 10.77.3.1
    ip -n "$NS_SERVER" -6 route add fd77::/16 via fd77:3::1

    # (vlan/qinq: the taggers must run before anything crosses gw-fw, so
    # lib.sh warms the caches after starting them.)
    [[ "$variant" == plain ]] || return 0
    # Warm the neighbour caches so no ARP/ND sits inside a scenario's timing.
    nsx "$NS_CLIENT" ping -c1 -W2 10.77.3.2 >/dev/null
    nsx "$NS_CLIENT" ping -6 -c1 -W2 fd77:3::2 >/dev/null
}

case "${1:-}" in
    up)   up "${2:-plain}" ;;
    down) down ;;
    *)    echo "usage: $0 up [plain|vlan|qinq] | down" >&2; exit 2 ;;
esac
