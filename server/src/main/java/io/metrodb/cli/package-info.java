/**
 * The {@code metrodb} command line (the server jar's Main-Class): lists the daemons' commands; nothing imports it.
 */
package io.metrodb.cli;
