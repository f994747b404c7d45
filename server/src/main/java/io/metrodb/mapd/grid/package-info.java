/**
 * The mapd key grid: an open-addressing index with lock-free reads and a single writer over off-heap entries and keys.
 */
package io.metrodb.mapd.grid;
