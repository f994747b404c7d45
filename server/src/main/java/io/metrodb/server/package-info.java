/**
 * What every MetroDB daemon shares: the command-line entry point and the Netty server bootstrap.
 */
package io.metrodb.server;
