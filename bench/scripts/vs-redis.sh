#!/usr/bin/env bash
# MetroDB vs Redis on the same box (issue 12). Redis: Debian's redis-server on a free loopback port, driven by
# redis-benchmark (-d 100 -r 100000), first with no persistence, then with `appendonly yes, appendfsync always`.
# MetroDB: the README's default cluster (bin/cluster start: 3 logds, 3 peer mapds, RF 2, a mond), driven through
# the Java SDK with its defaults by io.metrodb.bench.mapd.ClusterVsRedisHarness under the same load (100-byte
# values, 100,000 keys named as redis-benchmark names them, all preloaded so GETs hit). Prints a markdown table:
#   1 conn        one blocking SDK thread            | redis-benchmark -c 1
#   50 in flight  50 async SDK calls outstanding     | redis-benchmark -c 50
#   800 in flight 800 async SDK calls outstanding    | redis-benchmark -c 50 -P 16
# SETSAFE (acknowledged once forced on both replicas' logds and the mapd's journal) is compared with Redis SET
# under `appendfsync always`; GET and SET with Redis without persistence.
# MetroDB through Redis's own client too (issue 14): the same redis-benchmark runs (-t get / -t set, -d 100
# -r 100000, -c 1, -c 50, -c 50 -P 16) against one mapd of that cluster, 127.0.0.1:7550, which speaks RESP on its
# port: one port is what a Redis client uses (the SDK spreads over the 3 mapds). Its column is "MetroDB via
# redis-benchmark" (skipped, with a note, when redis-benchmark is missing).
#
# Usage (from anywhere): bench/scripts/vs-redis.sh [-r REPEATS] [-s SECONDS] [-w SECONDS] [-o DIR] [-t TARGETS]
#   -r REPEATS  rounds, alternating the order: Redis then MetroDB, MetroDB then Redis, ... (default 1);
#               with more than one, a table per round and one of the medians
#   -s SECONDS  measured time per measure (default 3)
#   -w SECONDS  warm-up per measure, same load, not counted (default 1)
#   -o DIR      where to keep the results (default bench/target/vs-redis/<date-time>)
#   -t TARGETS  both (default), redis or metrodb: one side only, its columns alone in the table
# A round takes 3 to 5 minutes on a 2-vCPU box (the cluster's start and preload are half of it). Needs: Java 17+,
# Maven (first run, to build bench/target/benchmarks.jar), and root or sudo to install redis-server and
# redis-tools with apt-get when redis-server is missing (on a systemd machine Debian's package also starts its own
# Redis service on port 6379; this script neither uses nor stops that one). The MetroDB ports 7550-7552, 7558-7560
# and 7570 must be free. Every step runs under `timeout`, and whatever it started is stopped on exit (trap).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=../../bin/java-env.sh
source bin/java-env.sh
jar=bench/target/benchmarks.jar
keys=100000
value_length=100

repeats=1
seconds=3
warmup=1
results=""
targets=both
while getopts "r:s:w:o:t:h" opt; do
    case "$opt" in
        r) repeats=$OPTARG ;;
        s) seconds=$OPTARG ;;
        w) warmup=$OPTARG ;;
        o) results=$OPTARG ;;
        t) targets=$OPTARG ;;
        *) sed -n '17,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "vs-redis: -r must be a positive integer, was '$repeats'" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+(\.[0-9]+)?$ && "$seconds" != 0 ]] ||
    { echo "vs-redis: -s must be a positive number of seconds, was '$seconds'" >&2; exit 2; }
[[ "$targets" =~ ^(both|redis|metrodb)$ ]] ||
    { echo "vs-redis: -t must be both, redis or metrodb, was '$targets'" >&2; exit 2; }
[[ "$warmup" =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
    { echo "vs-redis: -w must be a number of seconds, was '$warmup'" >&2; exit 2; }
results="${results:-bench/target/vs-redis/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$results"
raw="$results/results.txt"
: > "$raw"

# Load average, and on kernels with PSI the share of the last 10 s in which some runnable task waited for a CPU.
load_info() {
    local psi=""
    if [[ -r /proc/pressure/cpu ]]; then
        psi=", CPU pressure $(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)%"
    fi
    echo "load $(cut -d' ' -f1-3 /proc/loadavg)$psi"
}

say() {
    echo "=== $* ($(date +%T), $(load_info))" >&2
}

# ------------------------------------------------------------------------------------------- tools and build

if [[ "$targets" != metrodb ]] && { ! command -v redis-server > /dev/null ||
    ! command -v redis-benchmark > /dev/null || ! command -v redis-cli > /dev/null; }; then
    sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo > /dev/null ||
            { echo "vs-redis: redis-server is missing and installing it needs root or sudo" >&2; exit 2; }
        sudo=(sudo)
    fi
    say "installing redis-server and redis-tools (apt-get)"
    timeout 600 "${sudo[@]}" apt-get update -q >&2
    timeout 600 "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends redis-server redis-tools >&2
fi

if [[ ! -f "$jar" ]]; then
    say "building $jar"
    timeout 1800 mvn -B -q package -DskipTests -pl bench -am
fi

metrodb_ports=(7550 7551 7552 7558 7559 7560 7570)

port_in_use() {
    if command -v ss > /dev/null; then
        [[ -n "$(ss -Htln "( sport = :$1 )")" ]]
    else
        (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
    fi
}

busy=()
[[ "$targets" == redis ]] && metrodb_ports=()
for port in "${metrodb_ports[@]}"; do
    if port_in_use "$port"; then busy+=("$port"); fi
done
if (( ${#busy[@]} > 0 )); then
    echo "vs-redis: port(s) ${busy[*]} in use: bin/cluster needs 7550-7552, 7558-7560 and 7570 free" \
        "(another MetroDB cluster? stop it with bin/cluster stop, with its METRODB_RUN_DIR)" >&2
    exit 2
fi

redis_port=""
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 30000))
    if ! port_in_use "$candidate"; then redis_port=$candidate; break; fi
done
[[ -n "$redis_port" ]] || { echo "vs-redis: found no free loopback port for Redis" >&2; exit 2; }

# --------------------------------------------------------------------------------------- cleanup on any exit

work="$(mktemp -d "${TMPDIR:-/tmp}/metrodb-vs-redis.XXXXXX")"
redis_pid=""
cluster_dir=""

stop_redis() {
    if [[ -n "$redis_pid" ]] && kill -0 "$redis_pid" 2> /dev/null; then
        kill -TERM "$redis_pid" 2> /dev/null || true
        for _ in $(seq 1 100); do kill -0 "$redis_pid" 2> /dev/null || break; sleep 0.1; done
        kill -KILL "$redis_pid" 2> /dev/null || true
        wait "$redis_pid" 2> /dev/null || true
    fi
    redis_pid=""
}

stop_cluster() {
    if [[ -n "$cluster_dir" ]]; then
        local pids; pids="$(cat "$cluster_dir"/*.pid 2> /dev/null || true)"
        METRODB_RUN_DIR="$cluster_dir" timeout 120 bin/cluster stop > /dev/null || true
        # Anything that did not stop on SIGTERM within the time bin/cluster gives it, if that pid is still one of
        # ours (started with this run's METRODB_RUN_DIR in its environment).
        for pid in $pids; do
            if { tr '\0' '\n' < "/proc/$pid/environ"; } 2> /dev/null | grep -qxF "METRODB_RUN_DIR=$cluster_dir"; then
                kill -KILL "$pid" 2> /dev/null || true
            fi
        done
    fi
    cluster_dir=""
}

cleanup() {
    stop_redis
    stop_cluster
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------------------------------------------- machine

{
    echo "date: $(date '+%Y-%m-%d %H:%M:%S %Z')"
    echo "nproc: $(nproc)"
    echo "cpu: $(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -1)"
    echo "kernel: $(uname -r)"
    echo "at start: $(load_info)"
    echo "disk of the data dirs: $(df -P "$work" | awk 'NR == 2 { print $1 }')"
    echo "java: $("$METRODB_JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
    if [[ "$targets" != metrodb ]]; then echo "redis: $(redis-server --version)"; fi
    echo "command: bench/scripts/vs-redis.sh -r $repeats -s $seconds -w $warmup -t $targets"
} > "$results/machine.txt"
cat "$results/machine.txt" >&2

# ----------------------------------------------------------------------------------------------------- Redis

# The keys redis-benchmark -r 100000 picks from (key:000000000000 .. key:000000099999), as one RESP stream.
redis_preload_stream() {
    awk -v keys="$keys" -v vlen="$value_length" 'BEGIN {
        value = sprintf("%" vlen "s", ""); gsub(/ /, "x", value)
        for (i = 0; i < keys; i++) {
            key = sprintf("key:%012d", i)
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(value), value
        }
    }'
}

start_redis() {
    local mode=$1 dir="$work/redis-$1"
    mkdir -p "$dir"
    local persistence=(--save "" --appendonly no)
    if [[ "$mode" == always ]]; then
        persistence=(--save "" --appendonly yes --appendfsync always)
    fi
    timeout 3600 redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --daemonize no \
        --logfile "$dir/redis.log" "${persistence[@]}" &
    redis_pid=$!
    for _ in $(seq 1 100); do
        if [[ "$(redis-cli -p "$redis_port" ping 2> /dev/null)" == PONG ]]; then break; fi
        kill -0 "$redis_pid" 2> /dev/null ||
            { cat "$dir/redis.log" >&2; echo "vs-redis: redis-server died" >&2; exit 1; }
        sleep 0.1
    done
    redis_preload_stream | timeout 300 redis-cli -p "$redis_port" --pipe > "$dir/preload.txt"
    local size; size="$(redis-cli -p "$redis_port" dbsize)"
    [[ "$size" == "$keys" ]] || { echo "vs-redis: Redis holds $size keys after the preload, not $keys" >&2; exit 1; }
}

# redis-benchmark once, against Redis (or the port in $bench_port); prints "rps p50_ms p99_ms" of its CSV line.
redis_benchmark() {
    local op=$1 n=$2; shift 2
    timeout 600 redis-benchmark -h 127.0.0.1 -p "${bench_port:-$redis_port}" -d "$value_length" -r "$keys" \
        -t "$op" -n "$n" \
        --csv "$@" | tr -d '"' | awk -F, -v op="${op^^}" '$1 == op { print $2, $5, $7 }'
}

# One measure: the warm-up calibrates the request count so the measured run lasts about $seconds.
redis_measure() {
    local repeat=$1 system=$2 op=$3 shape=$4
    local args=(-c 1) n=1000
    case "$shape" in
        50) args=(-c 50); n=10000 ;;
        800) args=(-c 50 -P 16); n=50000 ;;
    esac
    local rps p50 p99 elapsed
    # Warm-up: grow the run until it lasts the warm-up time (or a fifth of a second when there is none).
    while :; do
        read -r rps p50 p99 < <(redis_benchmark "$op" "$n" "${args[@]}") ||
            { echo "vs-redis: redis-benchmark $op -n $n ${args[*]} gave no result" >&2; exit 1; }
        elapsed="$(awk -v n="$n" -v rps="$rps" 'BEGIN { print n / rps }')"
        if awk -v e="$elapsed" -v w="$warmup" 'BEGIN { exit !(e * 1.5 >= (w > 0.2 ? w : 0.2) || e > 30) }'; then
            break
        fi
        n="$(awk -v n="$n" -v e="$elapsed" -v w="$warmup" 'BEGIN {
            t = (w > 0.2 ? w : 0.2); f = (e > 0 ? t / e : 10); if (f > 10) f = 10; printf "%d", n * f + 1 }')"
    done
    n="$(awk -v rps="$rps" -v s="$seconds" 'BEGIN { printf "%d", (rps * s > 1000 ? rps * s : 1000) }')"
    read -r rps p50 p99 < <(redis_benchmark "$op" "$n" "${args[@]}") ||
        { echo "vs-redis: redis-benchmark $op -n $n ${args[*]} gave no result" >&2; exit 1; }
    # RESULT system op shape ops/s p50_us p99_us count errors misses (redis-benchmark counts no errors)
    echo "$repeat RESULT $system ${op^^} $shape $rps $(awk -v a="$p50" -v b="$p99" 'BEGIN {
        printf "%.1f %.1f", a * 1000, b * 1000 }') $n 0 0" | tee -a "$raw" >&2
}

redis_round() {
    local repeat=$1 mode
    for mode in none always; do
        say "round $repeat: Redis, persistence: $mode"
        start_redis "$mode"
        echo "$repeat LOAD redis-$mode: $(load_info)" >> "$raw"
        for op in get set; do
            for shape in 1 50 800; do
                redis_measure "$repeat" "redis-$mode" "$op" "$shape"
            done
        done
        stop_redis
    done
}

# --------------------------------------------------------------------------------------------------- MetroDB

metrodb_round() {
    local repeat=$1
    say "round $repeat: MetroDB, bin/cluster start"
    cluster_dir="$work/cluster-$repeat"
    METRODB_RUN_DIR="$cluster_dir" timeout 600 bin/cluster start >&2
    echo "$repeat LOAD metrodb: $(load_info)" >> "$raw"
    say "round $repeat: MetroDB, ClusterVsRedisHarness"
    local bound; bound="$(awk -v s="$seconds" -v w="$warmup" 'BEGIN { printf "%d", 600 + 9 * (s + w + 20) }')"
    # The daemons' pids, for the harness to report the CPU each one used during each measure.
    local pids="" pidfile
    for pidfile in "$cluster_dir"/*.pid; do
        pids="${pids:+$pids,}$(basename "$pidfile" .pid):$(cat "$pidfile")"
    done
    timeout --signal=TERM --kill-after=30 "$bound" \
        "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -Xmx1g -Dwarmup.seconds="$warmup" -Dmeasured.seconds="$seconds" \
        -Dkeys="$keys" -Dvalue.length="$value_length" -Dcpu.pids="$pids" -Dcpu.ticks="$(getconf CLK_TCK)" \
        -cp "$jar" io.metrodb.bench.mapd.ClusterVsRedisHarness |
        while IFS= read -r line; do
            echo "$line" >&2
            case "$line" in
                RESULT* | FAILURE* | PRELOAD* | CPU* | SERVER*) echo "$repeat $line" >> "$raw" ;;
            esac
        done
    if command -v redis-benchmark > /dev/null; then
        # The harness preloaded every key redis-benchmark -r picks, with 100-byte values: GETs hit here too.
        say "round $repeat: MetroDB through redis-benchmark, mapd 127.0.0.1:7550"
        local op shape
        for op in get set; do
            for shape in 1 50 800; do
                bench_port=7550 redis_measure "$repeat" metrodb-resp "$op" "$shape"
            done
        done
    else
        echo "vs-redis: redis-benchmark missing: no 'MetroDB via redis-benchmark' column" >&2
    fi
    mkdir -p "$results/cluster-logs-$repeat"
    cp "$cluster_dir"/*.log "$results/cluster-logs-$repeat/" 2> /dev/null || true
    stop_cluster
}

for repeat in $(seq 1 "$repeats"); do
    if (( repeat % 2 == 1 )); then
        [[ "$targets" == metrodb ]] || redis_round "$repeat"
        [[ "$targets" == redis ]] || metrodb_round "$repeat"
    else
        [[ "$targets" == redis ]] || metrodb_round "$repeat"
        [[ "$targets" == metrodb ]] || redis_round "$repeat"
    fi
done
echo "at the end: $(load_info)" >> "$results/machine.txt"

# ----------------------------------------------------------------------------------------------------- table

# Cells: "p50 µs (ops/s)" for the 1-connection rows, "ops/s" for the others; MetroDB / Redis is the p50 ratio
# (lower is better for MetroDB) and the throughput ratio (higher is better).
table() {
    awk -v repeats="$repeats" -v ncpus="$(nproc)" '
    function commas(x,    s, r) {
        s = sprintf("%d", x + 0.5); r = ""
        while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
        return s r
    }
    function median(key, field,    n, i, j, t, v) {
        n = 0
        for (i = 1; i <= repeats; i++) if ((i, key) in have) v[++n] = val[i, key, field]
        if (n == 0) return ""
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function pick(r, key, field) {
        return r == 0 ? median(key, field) : (((r, key) in have) ? val[r, key, field] : "")
    }
    function cell(r, key, latency,    ops, p50) {
        ops = pick(r, key, "ops"); p50 = pick(r, key, "p50")
        if (ops == "") return "–"
        return latency ? sprintf("%s µs (%s/s)", commas(p50), commas(ops)) : sprintf("%s/s", commas(ops))
    }
    function ratio(r, mine, theirs, latency, against,    a, b, c, d) {
        a = pick(r, mine, "ops"); b = pick(r, theirs, "ops")
        if (a == "" || b == "" || b == 0) return "–"
        if (!latency) return sprintf("%.2f×%s", a / b, against)
        c = pick(r, mine, "p50"); d = pick(r, theirs, "p50")
        return sprintf("p50 %.1f×, ops/s %.2f×%s", (d > 0 ? c / d : 0), a / b, against)
    }
    function row(r, label, op, shape, vs, latency,    m, resp, against) {
        m = "metrodb " op " " shape
        resp = "metrodb-resp " op " " shape
        against = vs == "always" ? " (vs `appendfsync always`)" : ""
        printf "| %s | %s | %s | %s | %s | %s | %s |\n", label, cell(r, m, latency), \
            cell(r, "redis-none " (op == "SETSAFE" ? "SET" : op) " " shape, latency), \
            cell(r, "redis-always " (op == "SETSAFE" ? "SET" : op) " " shape, latency), \
            ratio(r, m, "redis-" vs " " (op == "SETSAFE" ? "SET" : op) " " shape, latency, against), \
            cell(r, resp, latency), ratio(r, resp, "redis-" vs " " op " " shape, latency, "")
    }
    function print_table(r) {
        printf "| measure | MetroDB | Redis, no persistence | Redis `appendfsync always` | MetroDB / Redis"
        print " | MetroDB via redis-benchmark (one mapd) | that / Redis |"
        print "|---|---:|---:|---:|---|---:|---|"
        row(r, "GET, 1 conn, p50", "GET", 1, "none", 1)
        row(r, "SET, 1 conn, p50", "SET", 1, "none", 1)
        row(r, "SETSAFE, 1 conn, p50", "SETSAFE", 1, "always", 1)
        row(r, "GET, 50 in flight", "GET", 50, "none", 0)
        row(r, "SET, 50 in flight", "SET", 50, "none", 0)
        row(r, "SETSAFE, 50 in flight", "SETSAFE", 50, "always", 0)
        row(r, "GET, 800 in flight", "GET", 800, "none", 0)
        row(r, "SET, 800 in flight", "SET", 800, "none", 0)
        row(r, "SETSAFE, 800 in flight", "SETSAFE", 800, "always", 0)
        print ""
        print "MetroDB / Redis: against Redis without persistence, except SETSAFE against SET with"
        print "`appendfsync always`; p50 ratio above 1 = MetroDB slower, ops/s ratio below 1 = MetroDB slower."
        print "MetroDB via redis-benchmark: the same redis-benchmark runs as Redis, against mapd 127.0.0.1:7550 over"
        print "RESP (1 conn = -c 1, 50 = -c 50, 800 = -c 50 -P 16); its ratio is against Redis without persistence."
    }
    $2 == "RESULT" {
        key = $3 " " $4 " " $5
        have[$1, key] = 1
        val[$1, key, "ops"] = $6; val[$1, key, "p50"] = $7; val[$1, key, "p99"] = $8
        val[$1, key, "count"] = $9; val[$1, key, "errors"] = $10; val[$1, key, "misses"] = $11
        if (!(key in seen)) { seen[key] = 1; keys[++nkeys] = key }
    }
    $2 == "LOAD" { load[$1] = load[$1] (load[$1] == "" ? "" : "; ") substr($0, index($0, "LOAD") + 5) }
    $2 == "CPU" {
        # N OP SHAPE name=cores...: one row per measure and round
        line = "| " $1 " | " $3 " | " $4 " |"; total = 0
        for (i = 5; i <= NF; i++) {
            split($i, kv, "="); if (!(kv[1] in cpucol)) { cpucol[kv[1]] = ++ncpucol; cpuname[ncpucol] = kv[1] }
            cores[NR, kv[1]] = kv[2]; total += kv[2]
        }
        cpurow[++ncpurow] = NR; cpuhead[NR] = line; cputotal[NR] = total
    }
    $2 == "PRELOAD" {
        preload = preload sprintf("- round %d: %s keys SET and read back in %.1f s, %d round(s), %d failed calls\n", \
            $1, commas($3), $4, $5, $6)
    }
    $2 == "FAILURE" { failures = failures "- round " $1 ": " substr($0, index($0, "FAILURE")) "\n" }
    $2 == "SERVER" && $6 ~ /^latency_.*_us:count=[1-9]/ {
        # N SERVER OP SHAPE ADDRESS latency_NAME_us:count=C,p50=X,...: one p50 per mapd, round and timing
        name = substr($6, 9, index($6, "_us:") - 9); p = $6; sub(/.*,p50=/, "", p); sub(/,.*/, "", p)
        skey = $3 " " $4 " " name
        if (!(skey in sseen)) { sseen[skey] = 1; skeys[++nskeys] = skey }
        sval[skey, ++scount[skey]] = p
    }
    END {
        for (r = 1; r <= repeats; r++) {
            printf "\nRound %d (when each part started: %s)\n\n", r, load[r]
            print_table(r)
        }
        if (repeats > 1) {
            printf "\nMedians of the %d rounds\n\n", repeats
            print_table(0)
        }
        printf "\nEvery measure, medians over the rounds. MetroDB: 1 = one blocking thread, N = N async calls in"
        printf " flight, latency from the call to its completion. Redis: 1 = -c 1, 50 = -c 50, 800 = -c 50 -P 16"
        printf " (latency from the send of the pipelined batch).\n\n"
        print "| system | op | in flight | ops/s | p50 µs | p99 µs | count (last round) | errors | GET misses |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= nkeys; i++) {
            split(keys[i], k, " ")
            printf "| %s | %s | %s | %s | %.1f | %.1f | %s | %s | %s |\n", k[1], k[2], k[3], \
                commas(pick(0, keys[i], "ops")), \
                pick(0, keys[i], "p50"), pick(0, keys[i], "p99"), commas(pick(repeats, keys[i], "count")), \
                pick(0, keys[i], "errors"), pick(0, keys[i], "misses")
        }
        if (preload != "") printf "\nMetroDB preload (SETs with 512 in flight, then GETs of every key):\n%s", preload
        if (ncpurow > 0) {
            printf "\nCores used by each MetroDB process during each measured period (CPU seconds per second; the"
            printf " box has %d):\n\n| round | op | in flight |", ncpus
            for (c = 1; c <= ncpucol; c++) printf " %s |", cpuname[c]
            printf " total |\n|---:|---|---:|"
            for (c = 1; c <= ncpucol + 1; c++) printf "---:|"
            printf "\n"
            for (i = 1; i <= ncpurow; i++) {
                printf "%s", cpuhead[cpurow[i]]
                for (c = 1; c <= ncpucol; c++) printf " %s |", cores[cpurow[i], cpuname[c]]
                printf " %.2f |\n", cputotal[cpurow[i]]
            }
        }
        if (nskeys > 0) {
            printf "\nInside the mapds (INFO latency_*, docs/MAPD.md): p50 µs of each timing, median over the mapds"
            printf " and rounds (from reading the request to the answer, and the stages of a write):\n\n"
            print "| op | in flight | timing | p50 µs |"
            print "|---|---:|---|---:|"
            for (i = 1; i <= nskeys; i++) {
                split(skeys[i], k, " "); n = scount[skeys[i]]
                for (j = 1; j <= n; j++) sv[j] = sval[skeys[i], j]
                for (a = 2; a <= n; a++) { t = sv[a]; for (b = a - 1; b >= 1 && sv[b] + 0 > t + 0; b--) sv[b + 1] = sv[b]; sv[b + 1] = t }
                printf "| %s | %s | %s | %.1f |\n", k[1], k[2], k[3], n % 2 ? sv[(n + 1) / 2] : (sv[n / 2] + sv[n / 2 + 1]) / 2
            }
        }
        if (failures != "") printf "\nFailures (first of each measure):\n%s", failures
    }' "$raw"
}

table | tee "$results/table.md"
echo
cat "$results/machine.txt"
echo "results: $results"
