#!/usr/bin/env bash
# The published MetroDB-vs-Redis matrix (docs/BENCHMARKS.md, first section): every case is one
# `bin/metrodb-bench --target <MetroDB> --compare <Redis>` run, the same workload, seed and harness code on both.
#   cluster   a cluster started by `bin/metrodb up` (default: the README's, 3 hosts, RF 2; -n: 1 logd, 1 mapd, RF 1)
#   Redis     Debian's redis-server on loopback: no persistence; `appendfsync always` (against SETSAFE);
#             `appendfsync everysec` with 2 replicas (against SET, which MetroDB writes to 2 logds)
# Cases (-c, comma-separated; default all):
#   closed    GET and SET at 1 connection, 50 connections, 50 x 16 in flight; SETSAFE vs always at 1 and 50;
#             SET vs everysec + 2 replicas at 1 and 50
#   open      90 % GET / 10 % SET, 50 connections: the closed-loop peak of MetroDB, then open loop at 25, 50 and
#             75 % of it on both (the same rate on both, coordinated-omission corrected)
#   cpu       CPU µs per op by process and role, each target alone at 50 connections (GET, SET, SETSAFE)
#   ycsb      YCSB's A (50/50), B (95/5) and C (100/0) read/update mixes, zipfian, 16 connections, 1000-byte
#             values: through the harness on both, then YCSB's own client (bin/metrodb-ycsb, 16 threads) on MetroDB
# Usage: bench/scripts/vs-redis-matrix.sh [-n] [-c CASES] [-r ROUNDS] [-s SECONDS] [-w SECONDS] [-k KEYS] [-o DIR]
#   -n          the single-node cluster (1 logd, 1 mapd, RF 1) instead of the README's
#   -r ROUNDS   repeat every case (default 1); -s/-w measured/warm-up seconds (10/3); -k keys preloaded (100000)
#   -o DIR      results: DIR/<case>[-rN]/ (hgrm, result.json, SVG per op) and DIR/summary.tsv
#               (default bench/target/matrix/<date-time>); the ycsb case adds DIR/ycsb.tsv and DIR/ycsb-*.txt
# Ports: the cluster on 17550.. (-n: 18550..), Redis on 16379-16383. Everything started is stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

single=0; cases=closed,open,cpu,ycsb; rounds=1; seconds=10; warmup=3; keys=100000; out=""
while getopts "nc:r:s:w:k:o:h" opt; do
    case "$opt" in
        n) single=1 ;;
        c) cases=$OPTARG ;;
        r) rounds=$OPTARG ;;
        s) seconds=$OPTARG ;;
        w) warmup=$OPTARG ;;
        k) keys=$OPTARG ;;
        o) out=$OPTARG ;;
        *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
for n in "$rounds" "$seconds" "$keys"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "vs-redis-matrix: -r, -s and -k take positive integers, got '$n'" >&2; exit 2; }
done
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "vs-redis-matrix: -w takes whole seconds, got '$warmup'" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "vs-redis-matrix: needs redis-server (Debian: apt-get install redis-server)" >&2; exit 2; }
out="${out:-bench/target/matrix/$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
    for port in 16379 16380 16381 16382 16383; do redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

redis() { # PORT ARGS...: a redis-server on loopback with its own directory
    local port=$1; shift
    mkdir -p "$work/redis-$port"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$work/redis-$port" --daemonize yes \
        --logfile "$work/redis-$port/log" "$@"
    until redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
}
redis 16379 --appendonly no
redis 16380 --appendonly yes --appendfsync always
redis 16381 --appendonly yes --appendfsync everysec
redis 16382 --appendonly yes --appendfsync everysec --replicaof 127.0.0.1 16381
redis 16383 --appendonly yes --appendfsync everysec --replicaof 127.0.0.1 16381
until redis-cli -p 16381 info replication | grep -q '^connected_slaves:2'; do sleep 0.2; done

if (( single )); then
    base=18550; shape=(--logds 1 --mapds 1 --rf 1); metro=metrodb://127.0.0.1:18550; name=single-node
else
    base=17550; shape=(); metro=metrodb://127.0.0.1:17550,127.0.0.1:17551,127.0.0.1:17552; name=default
fi
bin/metrodb up --dir "$work/cluster" --base-port "$base" --no-gateway "${shape[@]}" > "$work/up.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 120))
until grep -q '^ready' "$work/up.log"; do
    (( SECONDS < deadline )) || { cat "$work/up.log" >&2; echo "vs-redis-matrix: cluster not ready in 120 s" >&2; exit 1; }
    sleep 0.2
done

{
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), cluster $name"
    printf 'case\tround\tredis\top\tmetrodb_ops\tredis_ops\tratio\tmetrodb_p50\tmetrodb_p99\tmetrodb_p999\tredis_p50\tredis_p99\tredis_p999\tmetrodb_errors\tload\n'
} > "$out/summary.tsv"

common=(--keys "$keys" --duration "${seconds}s" --warmup "${warmup}s" --seed 1 --no-progress --timeout-ms 20000)
preloaded=""
run() { # CASE REDIS_PORT ARGS...: one compare run, its table in $out/CASE.txt, a summary line per op
    local case=$1 port=$2; shift 2
    local pre=(--preload "$keys")
    [[ "$preloaded" == *" $port "* && -z "${force_preload:-}" ]] && pre=(--preload 0)
    for ((r = 1; r <= rounds; r++)); do
        local dir="$out/$case"; (( rounds > 1 )) && dir="$out/$case-r$r"
        echo "== $case (round $r): bin/metrodb-bench --target $metro --compare redis://127.0.0.1:$port $* ${common[*]} ${pre[*]}"
        timeout 600 bin/metrodb-bench --target "$metro" --compare "redis://127.0.0.1:$port" "$@" "${common[@]}" \
            "${pre[@]}" --out "$dir" > "$dir.txt" 2>&1 || { cat "$dir.txt" >&2; echo "vs-redis-matrix: $case failed" >&2; exit 1; }
        pre=(--preload 0)
        python3 - "$dir" "$case" "$r" "$port" "$(cut -d' ' -f1 /proc/loadavg)" >> "$out/summary.tsv" <<'EOF'
import json, sys
d, case, rnd, port, load = sys.argv[1:]
m = json.load(open(d + "/metrodb/result.json")); r = json.load(open(d + "/redis/result.json"))
for op, mo in m["ops"].items():
    ro = r["ops"].get(op) or r["ops"].get("set")
    ml, rl = mo["latencyUs"], ro["latencyUs"]
    print("\t".join(str(x) for x in [case, rnd, port, op, round(mo["opsPerSecond"]), round(ro["opsPerSecond"]),
        "%.2f" % (mo["opsPerSecond"] / ro["opsPerSecond"]), ml["p50"], ml["p99"], ml["p99.9"], rl["p50"], rl["p99"],
        rl["p99.9"], mo["errors"], load]))
EOF
    done
    preloaded="$preloaded $port "
}

peak() { # CASE: MetroDB's ops/s in that case's first round
    awk -F'\t' -v c="$1" '$1 == c && $2 == 1 { s += $5 } END { print s }' "$out/summary.tsv"
}

if [[ ",$cases," == *",closed,"* ]]; then
    run get-1 16379 --mix get=1 --connections 1 --in-flight 1
    run get-50 16379 --mix get=1 --connections 50 --in-flight 1
    run get-50x16 16379 --mix get=1 --connections 50 --in-flight 16
    run set-1 16379 --mix set=1 --connections 1 --in-flight 1
    run set-50 16379 --mix set=1 --connections 50 --in-flight 1
    run set-50x16 16379 --mix set=1 --connections 50 --in-flight 16
    run setsafe-1 16380 --mix set=1 --setsafe-share 1 --connections 1 --in-flight 1
    run setsafe-50 16380 --mix set=1 --setsafe-share 1 --connections 50 --in-flight 1
    run set-repl-1 16381 --mix set=1 --connections 1 --in-flight 1
    run set-repl-50 16381 --mix set=1 --connections 50 --in-flight 1
fi
if [[ ",$cases," == *",open,"* ]]; then
    run mix-peak 16379 --mix get=9,set=1 --connections 50 --in-flight 1
    top="$(peak mix-peak)"
    for pct in 25 50 75; do
        run "mix-open-$pct" 16379 --mix get=9,set=1 --connections 50 --in-flight 16 --rate $((top * pct / 100))
    done
fi
if [[ ",$cases," == *",cpu,"* ]]; then
    # CPU per operation, by process and role, while each target alone runs at 50 connections: where the time goes.
    # Sampled from /proc between the 2nd and the 8th progress line of the measured time (threads named mapd-*,
    # logd-*, mond-* in the host JVMs; "jvm" is their other threads: JIT, GC); ops from those progress lines.
    ticks_us=$((1000000 / $(getconf CLK_TCK)))
    cpu_snapshot() { # HARNESS_PID REDIS_PID: "role ticks" lines, read in one pass (forks per thread are too slow)
        python3 - "$1" "$2" $(cat "$work"/cluster/mapd*.pid | sort -u) <<'PY'
import glob, sys
def ticks(path):
    text = open(path).read()
    name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
    return name, int(rest[11]) + int(rest[12])  # utime, stime: fields 14 and 15 of stat
totals = {}
for pid in sys.argv[3:]:
    for stat in glob.glob("/proc/%s/task/*/stat" % pid):
        try:
            name, t = ticks(stat)
        except (OSError, ValueError):
            continue
        role = next((r for r in ("mapd", "logd", "mond") if name.startswith(r + "-")), "jvm")
        totals[role] = totals.get(role, 0) + t
totals["client"] = ticks("/proc/%s/stat" % sys.argv[1])[1]
totals["redis"] = ticks("/proc/%s/stat" % sys.argv[2])[1]
for role, t in totals.items():
    print(role, t)
PY
    }
    printf 'target\top\tops_per_s\tclient_us\tmapd_us\tlogd_us\tmond_us\tjvm_us\tredis_us\ttotal_us\n' > "$out/cpu.tsv"
    measured() { # PROGRESS_FILE: progress lines of the measured time so far (0 before the file exists)
        local n
        n=$(grep -c 'measure' "$1" 2>/dev/null) || true
        echo "${n:-0}"
    }
    cpu_run() { # TARGET OP MIX REDIS_PORT
        local target=$1 op=$2 mix=$3 port=$4 progress="$out/cpu-$1-$2.progress" rpid job hp a b pre=()
        [[ $op == get ]] && pre=(--preload "$keys")  # 100-byte values, so GETs hit; before the sampled window
        rpid=$(redis-cli -p "$port" info server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')
        echo "== cpu $target $op: bin/metrodb-bench --target $( [[ $target == redis ]] && echo "redis://127.0.0.1:$port" || echo "$metro") --mix $mix --connections 50 --duration 12s --warmup 2s"
        bin/metrodb-bench --target "$( [[ $target == redis ]] && echo "redis://127.0.0.1:$port" || echo "$metro")" \
            --mix "$mix" --connections 50 --in-flight 1 --keys "$keys" --duration 12s --warmup 2s --seed 1 \
            --timeout-ms 20000 "${pre[@]}" --out "$out/cpu-$target-$op" > "$out/cpu-$target-$op.txt" 2> "$progress" &
        job=$!
        until (( $(measured "$progress") >= 2 )); do sleep 0.05; done
        hp=$(pgrep -n -f "java.*--out $out/cpu-$target-$op")
        a="$(cpu_snapshot "$hp" "$rpid")"
        until (( $(measured "$progress") >= 8 )); do sleep 0.05; done
        b="$(cpu_snapshot "$hp" "$rpid")"
        wait "$job"
        python3 - "$target" "$op" "$ticks_us" "$progress" "$a" "$b" >> "$out/cpu.tsv" <<'PY'
import re, sys
target, op, tick_us, progress, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rates = [float(m.group(1).replace(",", "")) for m in
         (re.search(r"measure\s+([\d,]+) ops/s", line) for line in open(progress)) if m]
ops = sum(rates[2:8])
def totals(text):
    t = {}
    for line in text.splitlines():
        role, ticks = line.split()
        t[role] = t.get(role, 0) + int(ticks)
    return t
ta, tb = totals(a), totals(b)
roles = ["client", "mapd", "logd", "mond", "jvm", "redis"]
us = {r: (tb.get(r, 0) - ta.get(r, 0)) * tick_us / ops for r in roles}
if target == "redis":
    for r in ["mapd", "logd", "mond", "jvm"]:
        us[r] = 0.0
else:
    us["redis"] = 0.0
print("\t".join([target, op, str(round(ops / 6))] + ["%.1f" % us[r] for r in roles] + ["%.1f" % sum(us.values())]))
PY
    }
    cpu_run metrodb get get=1 16379
    cpu_run redis get get=1 16379
    cpu_run metrodb set set=1 16379
    cpu_run redis set set=1 16379
    cpu_run metrodb setsafe setsafe=1 16380
    cpu_run redis setsafe setsafe=1 16380
fi
if [[ ",$cases," == *",ycsb,"* ]]; then
    # YCSB's records are 10 fields of 100 B: 1000-byte values, preloaded again at that size.
    ycsb=(--distribution zipfian --connections 16 --in-flight 1 --value-size 1000)
    force_preload=1 run ycsb-a 16379 --mix get=50,set=50 "${ycsb[@]}"
    run ycsb-b 16379 --mix get=95,set=5 "${ycsb[@]}"
    run ycsb-c 16379 --mix get=1 "${ycsb[@]}"
    # YCSB's own client against MetroDB (its update is a GET + SET of the record: docs/YCSB.md).
    props=(-p "metrodb.hosts=${metro#metrodb://}" -p "recordcount=$keys" -threads 16)
    echo "== YCSB load: bin/metrodb-ycsb load -P workloads/workloada ${props[*]}"
    timeout 900 bin/metrodb-ycsb load -P workloads/workloada "${props[@]}" > "$out/ycsb-load.txt" 2>&1
    printf 'workload	ops	read_p50	read_p99	read_p999	update_p50	update_p99	update_p999	failed
' > "$out/ycsb.tsv"
    for w in a b c; do
        echo "== YCSB $w: bin/metrodb-ycsb run -P workloads/workload$w ${props[*]} -p operationcount=100000000" \
            "-p maxexecutiontime=$seconds -p measurementtype=hdrhistogram -p hdrhistogram.percentiles=50,99,99.9"
        timeout 900 bin/metrodb-ycsb run -P "workloads/workload$w" "${props[@]}" -p operationcount=100000000 \
            -p "maxexecutiontime=$seconds" -p measurementtype=hdrhistogram -p hdrhistogram.percentiles=50,99,99.9 \
            > "$out/ycsb-$w.txt" 2>&1
        awk -F', ' -v w="$w" '
            $1 == "[OVERALL]" && $2 == "Throughput(ops/sec)" { ops = int($3) }
            $1 == "[READ]" && $2 ~ /^50th/ { r50 = $3 } $1 == "[READ]" && $2 ~ /^99th/ { r99 = $3 }
            $1 == "[READ]" && $2 ~ /^99\.9P/ { r999 = $3 }
            $1 == "[UPDATE]" && $2 ~ /^50th/ { u50 = $3 } $1 == "[UPDATE]" && $2 ~ /^99th/ { u99 = $3 }
            $1 == "[UPDATE]" && $2 ~ /^99\.9P/ { u999 = $3 }
            $2 ~ /^Return=/ && $2 != "Return=OK" { failed += $3 }
            END { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", w, ops, r50, r99, r999, u50, u99, u999, failed }
        ' "$out/ycsb-$w.txt" >> "$out/ycsb.tsv"
    done
fi
echo "summary: $out/summary.tsv"
column -t -s $'\t' "$out/summary.tsv" | sed 1d
[[ -f "$out/ycsb.tsv" ]] && column -t -s $'\t' "$out/ycsb.tsv"
[[ -f "$out/cpu.tsv" ]] && column -t -s $'\t' "$out/cpu.tsv"
exit 0
