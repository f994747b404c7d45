/** logd storage engine: memory-mapped, append-only segment log with lock-free appends, group-commit durability and recovery. */
package io.metrodb.log;
