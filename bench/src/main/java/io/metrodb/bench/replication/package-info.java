/** Benchmarks of mapd-to-mapd replication: lag to a peer at a steady write rate, SET throughput by peer count. */
package io.metrodb.bench.replication;
