/**
 * {@code bin/metrodb-bench}: a load harness that drives a MetroDB cluster (through the Java SDK) or a Redis server
 * (over RESP) with the same workload and the same pacing and recording code ({@link io.metrodb.bench.load.Target}),
 * closed loop or open loop at a rate with coordinated-omission correction, and reports latency percentiles,
 * {@code .hgrm} files, JSON and an SVG plot of several runs. The command line is {@link
 * io.metrodb.bench.load.BenchCommand}; docs/BENCH-HARNESS.md is its manual.
 */
package io.metrodb.bench.load;
