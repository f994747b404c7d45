#!/usr/bin/env bash
# How long `bin/metrodb up` takes to print `ready` (issue 15: within 5 s on a 2-core box), and the CPU its JVMs
# spent by then. Each round: `bin/metrodb up --dir <tmp> --base-port B` in the foreground, timed from the command's
# start to the `ready:` line, the CPU of every JVM it runs (utime+stime from /proc at that moment), then SIGTERM.
# The first round of a checkout writes its class-data sharing archives (into its own run dir, kept across rounds)
# and is not counted. With -b, rounds alternate between this checkout and another (a baseline), same box, same load.
#
# Usage: bench/scripts/up-ready.sh [-r ROUNDS] [-b OTHER_CHECKOUT] [-p BASE_PORT]
#   -r ROUNDS  measured rounds per checkout (default 3)
#   -b DIR     a second checkout (its jars built: server/target, tools/target) measured in turn, e.g. a git worktree
#   -p B       base port (default 17550: mapds B.., logds B+8.., mond B+20, gateway B-470); keep it below the
#              ephemeral range (32768..), where a client socket's TIME_WAIT can hold a port for a minute
# Prints one line per round and the median of each checkout. Every up is stopped on exit (trap).
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=3
other=""
base_port=17550
while getopts "r:b:p:" opt; do
    case "$opt" in
        r) rounds="$OPTARG" ;;
        b) other="$(cd "$OPTARG" && pwd)" ;;
        p) base_port="$OPTARG" ;;
        *) sed -n '2,13p' "$0" >&2; exit 2 ;;
    esac
done
work="$(mktemp -d /tmp/metrodb-up-ready.XXXXXX)"
running=""
cleanup() {
    [[ -n "$running" ]] && kill -TERM "$running" 2> /dev/null && wait "$running" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
tck="$(getconf CLK_TCK)"

# one CHECKOUT LABEL: prints "LABEL ready_ms cpu_ms jvms"
one() {
    local root="$1" label="$2" dir="$work/$2" out="$work/$2.out" start end pid pids cpu=0 seen="" f
    local -a stat
    rm -f "$out"
    start="$(date +%s%N)"
    "$root/bin/metrodb" up --dir "$dir" --base-port "$base_port" > "$out" 2>&1 &
    running=$!
    until grep -q '^ready:\|failed' "$out" 2> /dev/null; do
        kill -0 "$running" 2> /dev/null || { cat "$out" >&2; exit 1; }
        sleep 0.01
    done
    end="$(date +%s%N)"
    grep -q '^ready:' "$out" || { cat "$out" >&2; exit 1; }
    pids=0
    for f in "$dir"/*.pid; do
        pid="$(< "$f")"
        case " $seen " in *" $pid "*) continue ;; esac
        seen="$seen $pid"
        read -r -a stat < "/proc/$pid/stat"
        cpu=$((cpu + (stat[13] + stat[14]) * 1000 / tck))
        pids=$((pids + 1))
    done
    kill -TERM "$running"
    wait "$running" || true
    running=""
    echo "$label $(((end - start) / 1000000)) $cpu $pids"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

checkouts=("$here")
[[ -n "$other" ]] && checkouts+=("$other")
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for index in "${!checkouts[@]}"; do
    one "${checkouts[$index]}" "c$index" > /dev/null    # writes the CDS archives
done
results="$work/results"
for round in $(seq 1 "$rounds"); do
    for index in "${!checkouts[@]}"; do
        line="$(one "${checkouts[$index]}" "c$index")"
        echo "$line" >> "$results"
        read -r _ ready cpu jvms <<< "$line"
        printf 'round %d  %-40s ready %5d ms  CPU %6d ms in %d JVMs  load %s\n' "$round" "${checkouts[$index]}" \
            "$ready" "$cpu" "$jvms" "$(cut -d' ' -f1 /proc/loadavg)"
    done
done
for index in "${!checkouts[@]}"; do
    printf 'median %-40s ready %5s ms  CPU %6s ms\n' "${checkouts[$index]}" \
        "$(awk -v l="c$index" '$1 == l { print $2 }' "$results" | median)" \
        "$(awk -v l="c$index" '$1 == l { print $3 }' "$results" | median)"
done
