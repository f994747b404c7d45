#!/usr/bin/env bash
# 10 M keys on the README's cluster (bin/metrodb up: 3 hosts of a logd and a mapd, RF 2): memory per key in the
# mapds and the time a crashed host takes to serve again. Each mapd holds every key of the cluster.
#   1. bin/metrodb up on base port 19550; RssAnon of each host JVM (its heap and off-heap; the logd's mapped
#      segments are file pages, RssFile, and are not counted), then SET of keys 0..N-1 (100-byte values) with
#      bin/metrodb-bench --preload, then RssAnon again: (after - before) / N is the memory per key of a host,
#      i.e. of its mapd (the logd keeps no per-key memory); INFO's keys and the grid's own bytes (index, entries, key arena) alongside.
#   2. kill -9 of host2 (logd2 + mapd2): up restarts it (after its 0.5 s backoff); the time from the kill until
#      mapd2 answers a GET of key N-1 with its value over RESP (redis-cli), and mapd2's own recovery lines.
#      Then the same after a snapshot: SIGTERM of host2 (a clean stop writes one) and again.
# Usage: bench/scripts/ten-million.sh [-k KEYS] [-o DIR]    (default 10000000 keys; results in DIR/, default
#        bench/target/ten-million/<date-time>). Takes ~5-10 minutes and ~4 GB of disk under $TMPDIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
keys=10000000; out=""
while getopts "k:o:h" opt; do
    case "$opt" in
        k) keys=$OPTARG ;;
        o) out=$OPTARG ;;
        *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
[[ "$keys" =~ ^[1-9][0-9]*$ ]] || { echo "ten-million: -k takes a positive integer, got '$keys'" >&2; exit 2; }
command -v redis-cli >/dev/null || { echo "ten-million: needs redis-cli (Debian: apt-get install redis-tools)" >&2; exit 2; }
out="${out:-bench/target/ten-million/$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
work="$(mktemp -d)"
up=""
cleanup() {
    [[ -n "$up" ]] && { kill -TERM "$up" 2>/dev/null || true; wait "$up" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

bin/metrodb up --dir "$work" --base-port 19550 --no-gateway > "$out/up.log" 2>&1 &
up=$!
until grep -q '^ready' "$out/up.log"; do sleep 0.2; done
host_pid() { cat "$work/mapd$1.pid"; }
rss_anon_kib() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status"; }
info_field() { redis-cli -p "$1" info 2>/dev/null | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }

report="$out/report.txt"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $keys keys" > "$report"
declare -A before
for i in 1 2 3; do before[$i]=$(rss_anon_kib "$(host_pid $i)"); done
start=$SECONDS
bin/metrodb-bench --target metrodb://127.0.0.1:19550,127.0.0.1:19551,127.0.0.1:19552 --mix get=1 \
    --keys "$keys" --preload "$keys" --connections 8 --in-flight 64 --duration 5s --warmup 1s --seed 1 \
    --no-progress > "$out/preload.txt" 2>&1
echo "preload + 6 s of GETs: $((SECONDS - start)) s (bin/metrodb-bench --preload $keys --connections 8 --in-flight 64)" >> "$report"
grep -E '^(preloaded|get )' "$out/preload.txt" >> "$report" || true
for i in 1 2 3; do
    port=$((19549 + i)); after=$(rss_anon_kib "$(host_pid $i)")
    echo "host$i: RssAnon $((before[$i] / 1024)) MiB -> $((after / 1024)) MiB: $(( (after - before[$i]) * 1024 / keys )) B/key;" \
        "keys $(info_field $port keys), grid_capacity $(info_field $port grid_capacity), grid bytes (index + entries + keys)" \
        "$(( ($(info_field $port grid_index_bytes) + $(info_field $port grid_entry_bytes) + $(info_field $port grid_key_bytes)) / keys )) B/key" >> "$report"
done

last="key:$(printf '%012d' $((keys - 1)))"
expected="$(redis-cli -p 19550 get "$last")"
serving_after() { # SIGNAL: stop host2 with it, time until mapd2 answers GET last with the expected value
    local pid t0 t1
    pid=$(host_pid 2)
    t0=$(date +%s%N)
    kill "-$1" "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
    until [[ "$(redis-cli -p 19551 get "$last" 2>/dev/null)" == "$expected" ]]; do sleep 0.02; done
    t1=$(date +%s%N)
    echo "host2 stopped with SIG$1: mapd2 serves key $last again $(( (t1 - t0) / 1000000 )) ms after the signal" >> "$report"
}
serving_after KILL
serving_after TERM
serving_after KILL
echo "mapd2's recovery lines:" >> "$report"
grep -hiE 'snapshot|journal|replay|recover' "$work"/host2.log 2>/dev/null | tail -12 >> "$report" || true
cat "$report"
