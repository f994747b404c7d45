#!/usr/bin/env bash
# Two builds of logd side by side, alternating, so both see the same disk and load (docs/BENCHMARKS.md, issue 3
# run 5): for each repeat and each jar,
#   DurableAppendHarness  durable appends/s at 1, 16, 64 in flight (threads, async, server), 100 B and 4 KiB
#   LogAppendBenchmark    appendThenForce (1 GiB of 4 KiB entries, flushed) and ddReference, 1 + 3 shots
# with the disk reference (disk-reference.sh) before and after. Build a jar of each version first, e.g.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && mvn -B -q package -DskipTests -pl bench -am)
#
# Usage: bench/scripts/logd-compare.sh BEFORE_JAR AFTER_JAR [results-dir]
#   REPEATS=n   alternations (default 3)
#   HARNESS_ARGS, JMH_ARGS   replace the default arguments of the two programs
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,12p' "$0"
    exit 2
fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source bin/java-env.sh
before="$1"
after="$2"
results="${3:-bench/target/logd-compare-results/$(date +%Y%m%d-%H%M%S)}"
dir=bench/target/logd-bench
repeats="${REPEATS:-3}"
harness_args="${HARNESS_ARGS:---modes async,server,threads --sizes 100,4096 --appenders 1,16,64 --warmup-s 0.7 --duration-s 2.5}"
jmh_args="${JMH_ARGS:-LogAppendBenchmark.(appendThenForce|ddReference) -p entryLength=4096 -wi 1 -i 3}"
mkdir -p "$results" "$dir"

step() {
    echo
    echo "=== $* ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
}

step "disk reference (before)"
timeout 600 bench/scripts/disk-reference.sh "$root/$dir" | tee "$results/disk-before.txt"

for ((r = 1; r <= repeats; r++)); do
    for side in before after; do
        jar="$before"
        [[ "$side" == after ]] && jar="$after"
        step "repeat $r, $side: DurableAppendHarness ($jar)"
        # shellcheck disable=SC2086
        timeout 900 "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -cp "$jar" io.metrodb.bench.logd.DurableAppendHarness \
            --dir "$dir" $harness_args 2>&1 | tee "$results/durable-$side-$r.txt" | grep -E '^\| [0-9]' || true
        step "repeat $r, $side: LogAppendBenchmark ($jar)"
        # shellcheck disable=SC2086
        timeout 900 "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -jar "$jar" $jmh_args -p dir="$dir" 2>&1 | tee "$results/jmh-$side-$r.txt" |
            grep -E '^\s+\[shot\]|^LogAppendBenchmark' || true
    done
done

step "disk reference (after)"
timeout 600 bench/scripts/disk-reference.sh "$root/$dir" | tee "$results/disk-after.txt"
echo
echo "results in $results"
