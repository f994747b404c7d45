/**
 * Flyweights for mond's messages: heartbeats and the cluster view.
 */
package io.metrodb.protocol.mond;
