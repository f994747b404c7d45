#!/usr/bin/env bash
# CPU of an idle default cluster (bin/cluster: 3 hosts of a logd and a mapd each, a mond), per process and per
# thread, from /proc
# (issue 12: every daemon under 1% of a core with no traffic). Starts the cluster in a temp run dir, lets it
# settle, samples utime+stime and context switches of every thread over the window, prints a table, stops it.
# A process's CPU time is its own however loaded the machine is, so the numbers hold on a shared box; the load
# average is printed alongside all the same.
#
# Usage: bench/scripts/idle-cpu.sh [seconds]     (default 30)
#   SETTLE_S=n   idle seconds between "cluster started" and the first sample (default 10)
#   TOP=n        threads listed per daemon, busiest first (default 4)
#   KEEP_RUN=1   keep the temp run dir (logs, data) afterwards
#   METRODB_RUN_DIR=dir   sample a cluster already running from that run dir instead (not started, not stopped)
# Uses bin/cluster's ports (7550-7552, 7558-7560, 7570): nothing else may use them.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-30}"
settle="${SETTLE_S:-10}"
top="${TOP:-4}"
clk_tck="$(getconf CLK_TCK)"
existing="${METRODB_RUN_DIR:-}"
run="${existing:-$(mktemp -d /tmp/metrodb-idle-cpu.XXXXXX)}"
source "$root/bin/java-env.sh"
# up runs the i-th logd and mapd in one JVM, host<i>; each node's pid file holds its process's pid.
daemons=(host1 host2 host3 mond)
pid_of() {
    local node="$1"
    [[ $node == host* ]] && node="logd${node#host}"
    echo "$(< "$run/$node.pid")"
}

cleanup() {
    [[ -z "$existing" ]] || return 0
    METRODB_RUN_DIR="$run" "$root/bin/cluster" stop > /dev/null || true
    if [[ "${KEEP_RUN:-0}" == 1 ]]; then
        echo "run dir kept: $run"
    else
        rm -rf "$run"
    fi
}
trap cleanup EXIT

# One line per thread: daemon pid tid ticks(utime+stime) context-switches(voluntary+involuntary) name.
# Only shell builtins, so sampling ~300 threads costs the sampler little and the daemons nothing.
# /proc/.../status is read in one go (read -d ''): line by line, bash seeks back after each line, and a seek makes
# the kernel render the file again, with counters that moved meanwhile, so lines could be misread.
voluntary_re=$'\n''voluntary_ctxt_switches:[[:space:]]*([0-9]+)'
involuntary_re='nonvoluntary_ctxt_switches:[[:space:]]*([0-9]+)'
snapshot() {
    local name pid task stat rest comm status switches
    local -a fields
    for name in "${daemons[@]}"; do
        pid="$(pid_of "$name")"
        for task in /proc/"$pid"/task/*; do
            { read -r stat < "$task/stat" && read -r comm < "$task/comm"; } 2> /dev/null || continue
            rest="${stat##*) }"
            read -r -a fields <<< "$rest"
            status=""
            read -r -d '' status < "$task/status" 2> /dev/null || true
            switches=0
            [[ $status =~ $voluntary_re ]] && switches=${BASH_REMATCH[1]}
            [[ $status =~ $involuntary_re ]] && switches=$((switches + BASH_REMATCH[1]))
            # stat fields 14 and 15 (utime, stime) are 11 and 12 after "pid (comm) "
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$pid" "${task##*/}" \
                $((fields[11] + fields[12])) "$switches" "${comm// /_}"
        done
    done
}

# Whole-process ticks (includes threads that ended within the window).
process_ticks() {
    local name pid stat rest
    local -a fields
    for name in "${daemons[@]}"; do
        pid="$(pid_of "$name")"
        read -r stat < /proc/"$pid"/stat
        rest="${stat##*) }"
        read -r -a fields <<< "$rest"
        printf '%s\t%s\n' "$name" $((fields[11] + fields[12]))
    done
}

if [[ -z "$existing" ]]; then
    echo "\$ METRODB_RUN_DIR=$run bin/cluster start"
    METRODB_RUN_DIR="$run" "$root/bin/cluster" start
fi
for name in "${daemons[@]}"; do
    kill -0 "$(pid_of "$name")" || { echo "$name is not running" >&2; exit 1; }
done
if [[ -z "$existing" ]]; then
    echo "settling ${settle} s..."
    sleep "$settle"
else
    settle=0
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
samples="$(mktemp -d /tmp/metrodb-idle-cpu-samples.XXXXXX)"
trap '[[ "${KEEP_RUN:-0}" == 1 ]] && echo "samples kept: $samples" || rm -rf "$samples"; cleanup' EXIT
snapshot > "$samples/threads-0.tsv"
process_ticks > "$samples/process-0.tsv"
start_ns="$(date +%s%N)"
sleep "$seconds"
snapshot > "$samples/threads-1.tsv"
process_ticks > "$samples/process-1.tsv"
end_ns="$(date +%s%N)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${daemons[@]}"; do
    kill -0 "$(pid_of "$name")" || { echo "$name died during the window" >&2; exit 1; }
done

echo
echo "Idle CPU over $seconds s, after $settle s settling: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
    "load average $load_before (start) / $load_after (end), $("$METRODB_JAVA" -version 2>&1 | head -1)"
echo "% of a core = (utime+stime) delta / wall time; switches/s = voluntary+involuntary context switches, ~ wake-ups"
echo
awk -F'\t' -v wall_ns="$((end_ns - start_ns))" -v tck="$clk_tck" -v top="$top" '
    FILENAME ~ /process-0/ { p0[$1] = $2; next }
    FILENAME ~ /process-1/ { p1[$1] = $2; order[++n] = $1; next }
    FILENAME ~ /threads-0/ { t0[$3] = $4; s0[$3] = $5; next }
    {
        if (!($3 in t0)) { next }   # started within the window
        d = $1; k = ++count[d]
        tid[d, k] = $3; tname[d, k] = $6
        tcpu[d, k] = ($4 - t0[$3]) / tck; tsw[d, k] = $5 - s0[$3]
        dsw[d] += $5 - s0[$3]
    }
    END {
        wall = wall_ns / 1e9
        printf "| %-6s | %7s | %10s | %-50s |\n", "daemon", "% core", "switches/s", "busiest threads (% core, switches/s)"
        printf "|--------|---------|------------|----------------------------------------------------|\n"
        for (i = 1; i <= n; i++)
        {
            d = order[i]
            cpu = (p1[d] - p0[d]) / tck
            total += cpu; totalsw += dsw[d]
            # selection sort of this daemon threads by CPU, then switches
            line = ""
            for (j = 1; j <= top && j <= count[d]; j++)
            {
                best = 0
                for (k = 1; k <= count[d]; k++)
                {
                    if (used[d, k]) { continue }
                    if (!best || tcpu[d, k] > tcpu[d, best] || (tcpu[d, k] == tcpu[d, best] && tsw[d, k] > tsw[d, best]))
                    {
                        best = k
                    }
                }
                used[d, best] = 1
                line = line sprintf("%s%s %.1f %.0f", (j > 1 ? "; " : ""), tname[d, best], 100 * tcpu[d, best] / wall,
                    tsw[d, best] / wall)
            }
            printf "| %-6s | %7.1f | %10.0f | %-50s |\n", d, 100 * cpu / wall, dsw[d] / wall, line
        }
        printf "| %-6s | %7.1f | %10.0f | %-50s |\n", "all", 100 * total / wall, totalsw / wall, ""
    }
' "$samples/process-0.tsv" "$samples/process-1.tsv" "$samples/threads-0.tsv" "$samples/threads-1.tsv"
