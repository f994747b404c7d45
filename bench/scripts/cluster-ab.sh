#!/usr/bin/env bash
# Compares two server builds on the README's default cluster shape (3 logds, 3 peer mapds, RF 2, a mond), driven
# by the same client: for each round, for build A then build B (B then A in even rounds), start a fresh cluster
# from that build's server jar, run io.metrodb.bench.mapd.ClusterVsRedisHarness from this checkout's
# bench/target/benchmarks.jar (preload, warm-up pass, then each op and shape), stop the cluster. Prints the
# harness's RESULT lines (and its SERVER lines with -v) prefixed by round and build.
#
# Usage: bench/scripts/cluster-ab.sh -a JAR_A -b JAR_B [-r ROUNDS] [-o OPS] [-s SHAPES] [-k KEYS] [-j "JVM opts"]
#                                    [-J "JVM opts for B only"] [-v]
#   JAR_A, JAR_B  metrodb-server.jar of each build (e.g. from a git worktree at the other commit)
#   -r ROUNDS     default 2;  -o OPS default GET,SET,SETSAFE;  -s SHAPES default 1,50;  -k KEYS default 10000
#   -j / -J       extra JVM options for every daemon of both builds / of build B only (e.g. a -D switch to try)
# The cluster listens on 17550-17552 (mapds), 17558-17560 (logds) and 17570 (mond), so it does not collide
# with bin/cluster's ports; its data goes to a temp directory removed at the end. Each round takes about a
# minute per build for the defaults.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=../../bin/java-env.sh
source bin/java-env.sh
jar_a="" jar_b="" rounds=2 ops=GET,SET,SETSAFE shapes=1,50 keys=10000 opts="" opts_b="" verbose=0
while getopts "a:b:r:o:s:k:j:J:vh" opt; do
    case "$opt" in
        a) jar_a=$OPTARG ;; b) jar_b=$OPTARG ;; r) rounds=$OPTARG ;; o) ops=$OPTARG ;; s) shapes=$OPTARG ;;
        k) keys=$OPTARG ;; j) opts=$OPTARG ;; J) opts_b=$OPTARG ;; v) verbose=1 ;;
        *) sed -n '7,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
[[ -f "$jar_a" && -f "$jar_b" ]] || { echo "cluster-ab: -a and -b must name server jars" >&2; exit 2; }
[[ -f bench/target/benchmarks.jar ]] || mvn -B -q package -DskipTests -pl bench -am
run="$(mktemp -d /tmp/metrodb-ab.XXXXXX)"
pids=()
stop_cluster() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
    pids=()
}
trap 'stop_cluster; rm -rf "$run"' EXIT

start() { # NAME JAR JVM_OPTS ARGS...
    local name=$1 jar=$2 jvm=$3; shift 3
    # shellcheck disable=SC2086
    "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" $jvm -jar "$jar" "$@" > "$run/$name.log" 2>&1 &
    pids+=($!)
}
await_listening() {
    local name
    for name in "$@"; do
        for _ in $(seq 1 300); do grep -q "listening on" "$run/$name.log" && continue 2; sleep 0.2; done
        echo "cluster-ab: $name did not start; its log:" >&2; cat "$run/$name.log" >&2; exit 1
    done
}

one() { # ROUND BUILD JAR JVM_OPTS
    local round=$1 build=$2 jar=$3 jvm=$4 i port peers other
    rm -rf "${run:?}"/data; mkdir -p "$run/data"
    local logds=127.0.0.1:17558,127.0.0.1:17559,127.0.0.1:17560
    for i in 1 2 3; do start "logd$i" "$jar" "$jvm" logd --dir "$run/data/logd$i" --port $((17557 + i)) --node-id "$i"; done
    await_listening logd1 logd2 logd3
    for i in 1 2 3; do
        port=$((17549 + i)); peers=""
        for other in 17550 17551 17552; do [[ $other == "$port" ]] || peers="${peers:+$peers,}127.0.0.1:$other"; done
        start "mapd$i" "$jar" "$jvm" mapd --dir "$run/data/mapd$i" --port "$port" --node-id $((10 + i)) --rf 2 \
            --logds "$logds" --peers "$peers"
    done
    await_listening mapd1 mapd2 mapd3
    start mond "$jar" "$jvm" mond --port 17570 --mapds 127.0.0.1:17550,127.0.0.1:17551,127.0.0.1:17552 --logds "$logds"
    await_listening mond
    timeout 900 "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -Xmx1g -Dkeys="$keys" -Dops="$ops" -Dshapes="$shapes" \
        -Dmapds=127.0.0.1:17550,127.0.0.1:17551,127.0.0.1:17552 -cp bench/target/benchmarks.jar \
        io.metrodb.bench.mapd.ClusterVsRedisHarness 2>&1 |
        while IFS= read -r line; do
            case "$line" in
                RESULT* | FAILURE*) echo "$round $build $line" ;;
                SERVER*) if (( verbose )); then echo "$round $build $line"; fi ;;
            esac
        done
    stop_cluster
}

for round in $(seq 1 "$rounds"); do
    echo "# round $round $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    if (( round % 2 )); then
        one "$round" A "$jar_a" "$opts"; one "$round" B "$jar_b" "$opts $opts_b"
    else
        one "$round" B "$jar_b" "$opts $opts_b"; one "$round" A "$jar_a" "$opts"
    fi
done
