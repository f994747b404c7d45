/**
 * {@code metrodb chaos}: a cluster of real daemon processes under load, {@code kill -9}s and link cuts, then a check
 * that nothing acknowledged by SETSAFE was lost and that every mapd holds the same ({@link
 * io.metrodb.tools.chaos.ChaosCommand}).
 */
package io.metrodb.tools.chaos;
