#!/usr/bin/env bash
# Replication benchmarks of issue 5, in one go so their numbers share one run's machine and load:
#   1. ReplicationLagHarness, poller parking 50 us between passes (light on the CPU, coarse bounds)
#   2. ReplicationLagHarness, poller spinning with Thread.yield() (tight bounds, takes CPU from the servers)
#   3. ReplicationThroughputHarness: SET throughput at mapd A with 0, 1 and 2 peers, two rounds
# Every step runs under a timeout; clusters live in bench/target/replication-bench and are deleted by each step.
# Output: bench/target/replication-results/<timestamp>/ (or $1).
#
# Usage (from anywhere): bench/scripts/replication-bench.sh [results-dir]
#   SKIP_BUILD=1                 use the existing bench/target/benchmarks.jar
#   LAG_ARGS, THROUGHPUT_ARGS    extra arguments for the harnesses
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
results="${1:-bench/target/replication-results/$(date +%Y%m%d-%H%M%S)}"
jar=bench/target/benchmarks.jar
mkdir -p "$results"
source bin/java-env.sh
java_cp=("$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -cp "$jar")

step() {
    echo
    echo "=== $* ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    step "build"
    echo "\$ mvn -B -q package -DskipTests -pl bench -am"
    mvn -B -q package -DskipTests -pl bench -am
fi

step "machine" | tee "$results/machine.txt"
{
    echo "\$ nproc"; nproc
    echo "\$ lscpu | grep 'Model name'"; lscpu | grep 'Model name' || true
    echo "\$ $METRODB_JAVA -version"; "$METRODB_JAVA" -version 2>&1
    echo "\$ uptime"; uptime
} | tee -a "$results/machine.txt"

run() {
    local name=$1 limit=$2
    shift 2
    step "$name"
    echo "\$ ${java_cp[*]} $*"
    timeout "$limit" "${java_cp[@]}" "$@" 2>&1 | tee "$results/$name.txt"
}

# shellcheck disable=SC2086
run lag-park 180 io.metrodb.bench.replication.ReplicationLagHarness --poll-park-us 50 --out "$results" ${LAG_ARGS:-}
mkdir -p "$results/lag-park" && mv "$results"/lag-*.hgrm "$results/lag-park/"
# shellcheck disable=SC2086
run lag-yield 180 io.metrodb.bench.replication.ReplicationLagHarness --poll-park-us 0 --out "$results" ${LAG_ARGS:-}
mkdir -p "$results/lag-yield" && mv "$results"/lag-*.hgrm "$results/lag-yield/"
# shellcheck disable=SC2086
run throughput 600 io.metrodb.bench.replication.ReplicationThroughputHarness --rounds 2 --out "$results" \
    ${THROUGHPUT_ARGS:-}

step "done"
echo "results in $results"
