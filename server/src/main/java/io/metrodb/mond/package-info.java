/**
 * mond: heartbeats every logd and mapd, publishes the cluster view, probes replicas and asks mapds to repair them.
 */
package io.metrodb.mond;
