/**
 * The Java client SDK: {@link io.metrodb.client.MetroClient}, pipelined connections to the mapds with failover,
 * and its typed exceptions.
 */
package io.metrodb.client;
