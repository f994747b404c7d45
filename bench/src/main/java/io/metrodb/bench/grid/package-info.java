/**
 * Benchmarks and the memory-per-key measurement of the mapd key grid against on-heap maps.
 */
package io.metrodb.bench.grid;
