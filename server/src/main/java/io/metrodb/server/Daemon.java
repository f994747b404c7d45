package io.metrodb.server;

/**
 * A daemon command that can start without blocking, so that one JVM can run several ({@code metrodb host}).
 */
public interface Daemon
{
    /**
     * Starts the daemon and prints its one-line "listening" message.
     *
     * @return what stops it, cleanly.
     * @throws Exception when it cannot start; nothing is left running then.
     */
    AutoCloseable start() throws Exception;

    /**
     * @return the command's name: logd, mapd or mond.
     */
    String name();
}
