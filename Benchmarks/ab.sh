#!/usr/bin/env bash
# Paired comparison of two rdpdiag binaries on one generated capture: is a change faster?
#
#   bash Benchmarks/ab.sh OLD_BINARY NEW_BINARY [PAIRS] [KIND]
#
# PAIRS defaults to 40, KIND to rdp-heavy (Benchmarks/data/KIND.pcap; run.sh makes it).
# Each pair runs `analyze KIND.pcap > /dev/null` once with each binary, under
# /usr/bin/time, the order flipped from pair to pair. A pair's ratio is NEW / OLD of
# that pair; the verdict is the median of those ratios, so a drift in the machine's
# speed during the call moves both sides of a pair alike.
#
# On a shared virtual machine, stretches where the same binary takes half as long
# again come and go within minutes (Benchmarks/README.md). The medians are therefore
# also given separately for the "slow" pairs (either run slower than 1.15 x the
# median wall time of all runs) and the others: a change that only helps in one
# kind of stretch shows there. Two identical binaries gave 0.99-1.04 over 40 pairs
# on that VM, and 1.02-1.07 over 20: read differences of that size as noise.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
fi
old="$1"; new="$2"; pairs="${3:-40}"; kind="${4:-rdp-heavy}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
file="$here/data/$kind.pcap"
for b in "$old" "$new"; do
    [[ -x "$b" ]] || { echo "ab.sh: $b is not an executable" >&2; exit 2; }
done
[[ -f "$file" ]] || { echo "ab.sh: $file is missing; bash Benchmarks/run.sh generates it" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "ab.sh: /usr/bin/time is missing (Debian package \"time\")" >&2; exit 2; }
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "ab.sh: PAIRS must be a positive number" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Prints "wall cpu" of one run; an exit status above 1 (1 only says a connection failed) stops the call.
run() {
    local status=0
    /usr/bin/time -o "$work/t" -f "%e %U %S" "$1" analyze "$file" > /dev/null 2> "$work/err" || status=$?
    if (( status > 1 )); then
        echo "ab.sh: $1 exited with $status:" >&2
        cat "$work/err" >&2
        exit 1
    fi
    awk 'END { printf "%s %.2f\n", $1, $2 + $3 }' "$work/t"
}

echo "pairs: $pairs on $kind ($file)" >&2
for ((i = 1; i <= pairs; i++)); do
    if (( i % 2 )); then o="$(run "$old")"; n="$(run "$new")"; else n="$(run "$new")"; o="$(run "$old")"; fi
    echo "$o $n" >> "$work/pairs"
    printf '\r%d/%d' "$i" "$pairs" >&2
done
echo >&2

# Columns: old wall, old cpu, new wall, new cpu.
awk -v old="$old" -v new="$new" '
function median(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ ow[NR] = $1; oc[NR] = $2; nw[NR] = $3; nc[NR] = $4; all[2 * NR - 1] = $1; all[2 * NR] = $3 }
END {
    n = NR
    split("", tmp); for (i = 1; i <= 2 * n; i++) tmp[i] = all[i]; typical = median(tmp, 2 * n)
    threshold = 1.15 * typical
    for (g = 0; g < 3; g++) {
        k = 0; split("", w); split("", c); split("", a); split("", b)
        for (i = 1; i <= n; i++) {
            slow = (ow[i] > threshold || nw[i] > threshold)
            if (g == 1 && !slow) continue
            if (g == 2 && slow) continue
            k++; w[k] = nw[i] / ow[i]; c[k] = (oc[i] > 0 ? nc[i] / oc[i] : 1); a[k] = ow[i]; b[k] = nw[i]
        }
        name = g == 0 ? "all pairs" : g == 1 ? "slow pairs" : "other pairs"
        if (k == 0) { printf "%-12s none\n", name; continue }
        printf "%-12s %3d  wall new/old %.3f  cpu new/old %.3f  median wall old %.2f s, new %.2f s\n",
               name, k, median(w, k), median(c, k), median(a, k), median(b, k)
    }
    printf "(slow: either run over %.2f s, 1.15 x the median run; old = %s, new = %s)\n", threshold, old, new
}' "$work/pairs"
