/**
 * The Java client SDK: {@link io.metrodb.client.MetroClient}, pipelined connections to the mapds with failover,
 * a future-free callback path ({@link io.metrodb.client.ReplyHandler}), and its typed exceptions.
 */
package io.metrodb.client;
