/**
 * Counters files: each daemon's counters, gauges and distinct error log in one memory-mapped file that
 * {@code bin/metrodb stat} reads while the daemon runs (after Aeron's CnC file). Imports no daemon.
 */
package io.metrodb.server.counters;
