/**
 * Flyweights for mapd's messages: the client data path, peer replication and the monitor's probes.
 */
package io.metrodb.protocol.mapd;
