/**
 * logd: the log daemon, serving the {@link io.metrodb.log} engine over the binary protocol, its command line and its
 * offline verifier command.
 */
package io.metrodb.logd;
