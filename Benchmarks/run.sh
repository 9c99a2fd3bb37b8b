#!/usr/bin/env bash
# Whole-process benchmark of `rdpdiag analyze` against a raw libpcap read loop (the
# floor), libnids and tshark, on three generated ~1 GB captures. See Benchmarks/README.md.
#
#   bash Benchmarks/run.sh
#
# Environment knobs:
#   BENCH_SIZE_MB=1024   size of each generated capture
#   BENCH_SEED=1         generator seed
#   BENCH_RUNS=5         measured runs per tool and file (floor, rdpdiag, libnids)
#   BENCH_TSHARK=1       0 skips tshark (it is 50-100x slower than the floor)
#   BENCH_TSHARK_RUNS=1  measured runs of tshark per file
#   BENCH_KINDS="rdp-heavy gateway-mix bulk"   which files to measure
#   BENCH_RDPDIAG=PATH   measure this rdpdiag binary instead of building one
#
# Commands are run alternately (floor, rdpdiag, libnids, tshark, floor, ...) so that
# noise from other work on the machine spreads over all of them, and each tool's
# ratio to the floor is the median of per-round ratios. Never gate CI on these numbers.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

size_mb="${BENCH_SIZE_MB:-1024}"
seed="${BENCH_SEED:-1}"
runs="${BENCH_RUNS:-5}"
tshark_enabled="${BENCH_TSHARK:-1}"
tshark_runs="${BENCH_TSHARK_RUNS:-1}"
kinds="${BENCH_KINDS:-rdp-heavy gateway-mix bulk}"
data="$here/data"
bin="$here/bin"
results="$here/results.md"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

say() { printf '%s\n' "$*" >&2; }

# /usr/bin/time (GNU time, Debian package "time") gives wall time and peak RSS.
if [[ ! -x /usr/bin/time ]]; then
    say "run.sh: /usr/bin/time is missing; install it with: sudo apt-get install time"
    exit 2
fi

# --- build ---------------------------------------------------------------------------
# One product per invocation: given several --product options, SwiftPM builds only the last.
say "== building (release)"
swift build -c release --product rdpdiag-bench-gen >&2
generator="$root/.build/release/rdpdiag-bench-gen"
# The analyzer is developed concurrently: if it does not build, its rows say "n/a".
rdpdiag="$root/.build/release/rdpdiag"
if [[ -n "${BENCH_RDPDIAG:-}" ]]; then
    rdpdiag="$BENCH_RDPDIAG"
    [[ -x "$rdpdiag" ]] || { say "run.sh: $rdpdiag is not executable; its rows will read n/a"; rdpdiag=""; }
elif ! swift build -c release --product rdpdiag >&2; then
    say "run.sh: rdpdiag does not build; its rows will read n/a"
    rdpdiag=""
elif [[ ! -x "$rdpdiag" ]]; then
    rdpdiag=""
fi

mkdir -p "$bin" "$data"
gcc -O2 -Wall -o "$bin/pcap-floor" "$here/floor/pcap-floor.c" -lpcap
nids=""
if [[ -f /usr/include/nids.h ]]; then
    gcc -O2 -Wall -o "$bin/nids-count" "$here/floor/nids-count.c" -lnids -lpcap
    nids="$bin/nids-count"
else
    say "run.sh: libnids not found; skipping it (install with: sudo apt-get install libnids-dev)"
fi
tshark=""
if [[ "$tshark_enabled" != 0 ]]; then
    if command -v tshark >/dev/null; then
        tshark="$(command -v tshark)"
    else
        say "run.sh: tshark not found; skipping it (install with: sudo apt-get install tshark)"
    fi
fi

# --- data ----------------------------------------------------------------------------
# Each capture is generated once; data/KIND.info records the size and seed it was made
# with, and the generator's summary line. Delete Benchmarks/data to regenerate.
for kind in $kinds; do
    pcap="$data/$kind.pcap"
    info="$data/$kind.info"
    want="size_mb=$size_mb seed=$seed"
    if [[ -f "$pcap" && -f "$info" ]] && [[ "$(head -n 1 "$info")" == "$want" ]]; then
        say "== $kind: using existing $pcap"
        continue
    fi
    say "== generating $kind ($size_mb MB, seed $seed)"
    rm -f "$pcap" "$info"
    summary="$("$generator" --kind "$kind" --size-mb "$size_mb" --seed "$seed" --output "$pcap")"
    say "$summary"
    printf '%s\n%s\n' "$want" "$summary" > "$info"
done

# --- measurement ---------------------------------------------------------------------
# measure NAME FILE ROUND CMD...: runs CMD under /usr/bin/time -v and appends
# "round wall_seconds rss_kib status cpu_seconds" to $work/NAME.FILE (cpu: user + system).
measure() {
    local name="$1" file="$2" round="$3"
    shift 3
    local t="$work/time.txt" status=0 out=/dev/null
    # Only the floor's output is kept (its packet count); the others write to /dev/null.
    [[ "$name" == floor ]] && out="$work/stdout.txt"
    /usr/bin/time -v -o "$t" "$@" > "$out" 2> "$work/stderr.txt" || status=$?
    local wall rss cpu
    # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34" -> seconds
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + p[i]
        print s }' "$t")"
    rss="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$t")"
    cpu="$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s + 0 }' "$t")"
    echo "$round ${wall:-0} ${rss:-0} $status ${cpu:-0}" >> "$work/$name.$file"
    if [[ "$name" == floor && "$round" == 1 ]]; then
        cp "$work/stdout.txt" "$work/floor-output.$file"
    fi
    # rdpdiag exits 1 when at least one RDP connection failed (the generated files have
    # failures by design); only other statuses are worth a line.
    if [[ "$status" != 0 && ! ( "$name" == rdpdiag && "$status" == 1 ) ]]; then
        say "   $name exited $status: $(head -c 300 "$work/stderr.txt")"
    fi
}

# Which tools run, in the alternating order, and how many rounds each.
tools=(floor)
[[ -n "$rdpdiag" ]] && tools+=(rdpdiag)
[[ -n "$nids" ]] && tools+=(libnids)
[[ -n "$tshark" ]] && tools+=(tshark)

rounds_for() {
    case "$1" in
        tshark) echo "$tshark_runs" ;;
        *) echo "$runs" ;;
    esac
}

run_tool() {
    local tool="$1" pcap="$2" kind="$3" round="$4"
    case "$tool" in
        floor) measure floor "$kind" "$round" "$bin/pcap-floor" "$pcap" ;;
        rdpdiag) measure rdpdiag "$kind" "$round" "$rdpdiag" analyze "$pcap" ;;
        libnids) measure libnids "$kind" "$round" "$nids" "$pcap" ;;
        tshark) measure tshark "$kind" "$round" "$tshark" -r "$pcap" -n -Y 'tcp.port==3389' -T fields -e frame.number ;;
    esac
}

for kind in $kinds; do
    pcap="$data/$kind.pcap"
    say "== measuring $kind ($runs rounds)"
    # Warm the page cache so the first round is not a disk benchmark.
    cat "$pcap" > /dev/null
    for ((round = 1; round <= runs || round <= tshark_runs; round++)); do
        for tool in "${tools[@]}"; do
            if ((round <= $(rounds_for "$tool"))); then
                say "   round $round: $tool"
                run_tool "$tool" "$pcap" "$kind" "$round"
            fi
        done
    done
done

# --- report --------------------------------------------------------------------------
# A status other than 0 counts as a failed run, except rdpdiag's 1 ("analysed, at least
# one failed RDP connection"). A tool with any failed run reads n/a.
ok_status() {
    [[ "$2" == 0 ]] || [[ "$1" == rdpdiag && "$2" == 1 ]]
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

label() {
    case "$1" in
        floor) echo "floor (libpcap read loop)" ;;
        rdpdiag) echo "rdpdiag analyze" ;;
        libnids) echo "libnids (nids-count)" ;;
        tshark) echo "tshark -Y tcp.port==3389" ;;
    esac
}

table="$work/table.md"
{
    echo "| file | tool | median wall s | median CPU s | MB/s | Mpkt/s | peak RSS MiB | ratio to floor |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
} > "$table"

all_tools=(floor rdpdiag libnids tshark)
for kind in $kinds; do
    pcap="$data/$kind.pcap"
    bytes="$(stat -c %s "$pcap")"
    packets="$(awk '{ print $1 }' "$work/floor-output.$kind" 2>/dev/null || true)"
    for tool in "${all_tools[@]}"; do
        f="$work/$tool.$kind"
        if [[ ! -f "$f" ]]; then
            case "$tool" in
                rdpdiag) echo "| $kind | $(label "$tool") | n/a | n/a | n/a | n/a | n/a | n/a |" >> "$table" ;;
            esac
            continue
        fi
        failed=0
        while read -r _ _ _ status _; do
            ok_status "$tool" "$status" || failed=1
        done < "$f"
        if ((failed)); then
            echo "| $kind | $(label "$tool") | n/a | n/a | n/a | n/a | n/a | n/a |" >> "$table"
            continue
        fi
        wall="$(awk '{ print $2 }' "$f" | median)"
        cpu="$(awk '{ print ($5 == "" ? 0 : $5) }' "$f" | median)"
        rss="$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' "$f")"
        # Per-round ratios against the floor of the same round.
        ratio="$(awk 'NR == FNR { floor[$1] = $2; next }
                      ($1 in floor) && floor[$1] > 0 { print $2 / floor[$1] }' "$work/floor.$kind" "$f" | median)"
        note=""
        if [[ "$tool" != floor && -n "$ratio" ]] && awk -v r="$ratio" 'BEGIN { exit !(r < 1) }'; then
            # The floor sums every byte; past a stream's handshake rdpdiag reads headers only.
            note=" (below the floor, which sums every payload byte)"
        fi
        awk -v k="$kind" -v t="$(label "$tool")" -v w="$wall" -v c="$cpu" -v b="$bytes" -v p="${packets:-0}" \
            -v r="$rss" -v q="${ratio:-}" -v n="$note" 'BEGIN {
            mbs = w > 0 ? sprintf("%.0f", b / 1e6 / w) : "n/a"
            mps = (w > 0 && p > 0) ? sprintf("%.2f", p / 1e6 / w) : "n/a"
            rat = q == "" ? "n/a" : sprintf("%.2f", q)
            printf "| %s | %s | %.2f | %.2f | %s | %s | %.0f | %s%s |\n", k, t, w, c, mbs, mps, r / 1024, rat, n }' >> "$table"
    done
done

{
    echo "# Benchmark results"
    echo
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores"\
         "($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr)."
    echo "Files of $size_mb MB (seed $seed); median of $runs runs ($tshark_runs for tshark), run alternately."
    echo "MB = 10^6 bytes of pcap file; ratio = median of per-round (tool wall / floor wall);"
    echo "CPU = user + system time of all the tool's threads (rdpdiag runs three)."
    echo
    for kind in $kinds; do
        line="$(sed -n 2p "$data/$kind.info")"
        echo "- \`$kind\`: ${line#*: }"
    done
    echo
    cat "$table"
} > "$results"

cat "$results"
