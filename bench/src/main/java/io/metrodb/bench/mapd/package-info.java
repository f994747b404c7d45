/**
 * Load harnesses for a real mapd on two in-process logds: restart time at N keys, closed-loop GET/SET latency
 * against a loopback echo floor, and the Java client SDK's round trip and pipelined throughput next to a bare
 * Netty client ({@link io.metrodb.bench.mapd.SdkLatencyHarness}), and SETSAFE end to end with N in flight
 * ({@link io.metrodb.bench.mapd.SetSafeHarness}); and the SDK side of the comparison with Redis on the README's
 * default cluster started by {@code bin/cluster} ({@link io.metrodb.bench.mapd.ClusterVsRedisHarness}, run by
 * {@code bench/scripts/vs-redis.sh}).
 */
package io.metrodb.bench.mapd;
