/**
 * {@code metrodb-cli}: a redis-cli style command line and REPL on the client SDK (one-shot commands, an
 * interactive prompt with JLine, {@code --latency} and {@code --stat} modes).
 */
package io.metrodb.tools.cli;
