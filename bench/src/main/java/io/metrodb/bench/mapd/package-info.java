/**
 * Load harnesses for a real mapd on two in-process logds: restart time at N keys, and closed-loop GET/SET latency
 * against a loopback echo floor.
 */
package io.metrodb.bench.mapd;
