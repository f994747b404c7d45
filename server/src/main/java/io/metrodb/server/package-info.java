/**
 * What every MetroDB daemon shares: the Netty server bootstrap, the runner, option parsers and id files. Imports no
 * daemon.
 */
package io.metrodb.server;
