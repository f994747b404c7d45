/**
 * The log engine (logd's store, also mapd's journal): memory-mapped, append-only segment log with lock-free appends,
 * group-commit durability and recovery. No server, no command line: {@link io.metrodb.log.LogStore} is the entry point.
 */
package io.metrodb.log;
