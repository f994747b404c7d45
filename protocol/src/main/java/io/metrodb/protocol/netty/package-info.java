/**
 * Netty handlers every MetroDB peer shares: the frame decoder, the handshake and error replies.
 */
package io.metrodb.protocol.netty;
