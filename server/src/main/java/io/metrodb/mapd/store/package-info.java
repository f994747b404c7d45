/**
 * mapd persistence: the journal of grid changes, snapshots, and recovery from both (or from the logds).
 */
package io.metrodb.mapd.store;
