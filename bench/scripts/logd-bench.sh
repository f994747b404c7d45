#!/usr/bin/env bash
# All logd benchmarks of issue 3 in one go, so their numbers share one run's disk and load:
#   1. disk reference (dd conv=fdatasync bandwidth, dd oflag=dsync rate), before
#   2. LogAppendBenchmark (JMH): append into the mapping, and 1 GiB appended then forced
#   3. DurableAppendHarness: durable appends/s with 1, 16, 64 appenders (threads, async listeners, loopback server)
#   4. LogdLatencyHarness: loopback APPEND/READ latency at 1 connection, with a bare Netty floor
#   5. MsyncProbe: bytes written and time per small msync, by how the file was zero-filled
#   6. disk reference again, after
# then a summary of the ratios. Every step runs under a timeout; stores live in bench/target/logd-bench and
# are deleted after each step. Output: bench/target/logd-bench-results/<timestamp>/ (or $1).
#
# Usage (from anywhere): bench/scripts/logd-bench.sh [results-dir]
#   SKIP_BUILD=1     use the existing bench/target/benchmarks.jar
#   DD_REPEATS=n     dd runs per reference (default 3)
#   JMH_ARGS, DURABLE_ARGS, LATENCY_ARGS   extra arguments for steps 2, 3, 4
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
results="${1:-bench/target/logd-bench-results/$(date +%Y%m%d-%H%M%S)}"
dir=bench/target/logd-bench
jar=bench/target/benchmarks.jar
mkdir -p "$results" "$dir"
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
    echo "\$ df -h $dir"; df -h "$dir"
    echo "\$ uptime"; uptime
} | tee -a "$results/machine.txt"

step "1. disk reference (before)"
timeout 300 bench/scripts/disk-reference.sh "$root/$dir" | tee "$results/disk-before.txt"

step "2. LogAppendBenchmark"
echo "\$ $METRODB_JAVA ${METRODB_JAVA_FLAGS[*]} -jar $jar LogAppendBenchmark -rf json -rff $results/jmh.json ${JMH_ARGS:-}"
# shellcheck disable=SC2086
timeout 1200 "$METRODB_JAVA" "${METRODB_JAVA_FLAGS[@]}" -jar "$jar" LogAppendBenchmark -rf json -rff "$results/jmh.json" ${JMH_ARGS:-} |
    tee "$results/jmh.txt"

step "3. DurableAppendHarness"
echo "\$ ${java_cp[*]} io.metrodb.bench.logd.DurableAppendHarness ${DURABLE_ARGS:-}"
# shellcheck disable=SC2086
timeout 900 "${java_cp[@]}" io.metrodb.bench.logd.DurableAppendHarness ${DURABLE_ARGS:-} |
    tee "$results/durable.txt"

step "4. LogdLatencyHarness"
echo "\$ ${java_cp[*]} io.metrodb.bench.logd.LogdLatencyHarness --out $results/latency ${LATENCY_ARGS:-}"
# shellcheck disable=SC2086
timeout 900 "${java_cp[@]}" io.metrodb.bench.logd.LogdLatencyHarness --out "$results/latency" ${LATENCY_ARGS:-} |
    tee "$results/latency.txt"

step "5. msync probe (why a small force costs what it does)"
echo "\$ ${java_cp[*]} io.metrodb.bench.logd.MsyncProbe $dir"
timeout 300 "${java_cp[@]}" io.metrodb.bench.logd.MsyncProbe "$dir" | tee "$results/msync.txt"

step "6. disk reference (after)"
timeout 300 bench/scripts/disk-reference.sh "$root/$dir" | tee "$results/disk-after.txt"

step "summary"
python3 - "$results" <<'PY' | tee "$results/summary.txt"
import json, re, statistics, sys

results = sys.argv[1]

def disk(name, key):
    runs = []
    for phase in ("before", "after"):
        for line in open(f"{results}/disk-{phase}.txt"):
            m = re.match(rf"DISK {key} median=\S+ runs=\[(.*)\]", line)
            if m:
                runs += [float(v) for v in m.group(1).split()]
    return runs

bw = disk("bw", "seq_write_MBps")
fs = disk("fs", "dsync_writes_per_s")
bw_med, fs_med = statistics.median(bw), statistics.median(fs)
print(f"dd conv=fdatasync MB/s: runs {bw}, median {bw_med:.1f}")
print(f"dd oflag=dsync writes/s: runs {fs}, median {fs_med:.0f}")

jmh = json.load(open(f"{results}/jmh.json"))

def samples(r):
    return [v for fork in r["primaryMetric"]["rawData"] for v in fork]

# Single shots of flushBytes: MB/s from the median shot, the range from the fastest and slowest.
ref = [s for r in jmh if r["benchmark"].endswith(".ddReference") for s in samples(r)]
ref_mbps = int(jmh[0]["params"]["flushBytes"]) / 1e6 / statistics.median(ref) if ref else float("nan")
print(f"in-JVM dd reference (ddReference) MB/s, median of {len(ref)} shots: {ref_mbps:.1f}")

print()
print("| benchmark | entry B | JMH score (mean ± error) | MB/s (median of iterations; range) | / dd CLI median | / ddReference median |")
print("|---|---|---|---|---|---|")
for r in jmh:
    name = r["benchmark"].rsplit(".", 1)[1]
    size = int(r["params"]["entryLength"])
    m = r["primaryMetric"]
    err = float(m["scoreError"]) if m["scoreError"] != "NaN" else float("nan")
    if m["scoreUnit"] == "ops/s":
        shots = [v * size / 1e6 for v in samples(r)]
        mbps = statistics.median(shots)
        score = f'{m["score"]:.0f} ± {err:.0f} ops/s'
    else:
        flush_bytes = int(r["params"]["flushBytes"])
        payload = flush_bytes if name == "ddReference" else flush_bytes // size * size
        shots = [payload / 1e6 / v for v in samples(r)]
        mbps = statistics.median(shots)
        score = f'{m["score"]:.3f} ± {err:.3f} s/op'
    print(f"| {name} | {size} | {score} | {mbps:.1f} ({min(shots):.0f}-{max(shots):.0f}) | "
          f"{mbps / bw_med:.2f} | {mbps / ref_mbps:.2f} |")

print()
rates = {}
for line in open(f"{results}/durable.txt"):
    m = re.match(r"(\S+) delay (\d+) us prefill (\d+)\s+(\d+) B x\s+(\d+) appenders: (\d+) durable appends/s", line)
    if m:
        mode, delay, prefill, size, appenders = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5))
        rates.setdefault((mode, delay, prefill, size, appenders), []).append(float(m.group(6)))
print("| mode | group delay us | prefill B | entry B | appenders | durable appends/s (median of repeats) | x 1 appender | / dd dsync writes/s |")
print("|---|---|---|---|---|---|---|---|")
for (mode, delay, prefill, size, appenders), runs in rates.items():
    rate = statistics.median(runs)
    single = statistics.median(rates.get((mode, delay, prefill, size, 1), [float("nan")]))
    print(f"| {mode} | {delay} | {prefill} | {size} | {appenders} | {rate:.0f} | {rate / single:.2f} | {rate / fs_med:.2f} |")
PY
echo "results in $results"
