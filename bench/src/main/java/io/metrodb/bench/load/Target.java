package io.metrodb.bench.load;

import io.netty.channel.EventLoop;

/**
 * What the harness drives: it opens load connections, each bound to one event loop (its lane), and every
 * connection goes through the same pacing and recording code ({@link LoadConnection}).
 */
public interface Target extends AutoCloseable
{
    /**
     * @return the target as the report names it, e.g. {@code metrodb://127.0.0.1:7550 (Java SDK)}.
     */
    String describe();

    /**
     * Opens a connection whose I/O and outcomes run on {@code loop}; returns once it is usable.
     *
     * @param index     the connection's number, 0 up.
     * @param loop      the event loop the connection runs on.
     * @param timeoutMs how long connecting may take.
     * @param inFlight  requests the harness keeps in flight on it at most.
     * @return the connection.
     * @throws Exception when it cannot connect in time.
     */
    TargetConnection connect(int index, EventLoop loop, long timeoutMs, int inFlight) throws Exception;

    @Override
    void close();
}
