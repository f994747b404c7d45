/**
 * Flyweights for logd's messages: APPEND, READ, STAT, SCAN.
 */
package io.metrodb.protocol.logd;
