/**
 * {@code metrodb up/status/down}: a supervised local cluster of child processes on loopback.
 */
package io.metrodb.tools.up;
