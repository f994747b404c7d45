/** Benchmarks of logd: in-process appends (JMH), durable group commit and loopback latency harnesses. */
package io.metrodb.bench.logd;
