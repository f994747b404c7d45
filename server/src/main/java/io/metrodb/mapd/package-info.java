/**
 * mapd: the key grid's server, its write and read paths to the logds, and its persistence.
 */
package io.metrodb.mapd;
