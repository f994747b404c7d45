package io.metrodb.bench.load;

/**
 * One load connection to a target: asynchronous GET, SET, SETSAFE and DEL whose outcome goes to the request's
 * slot. Calls are made on the connection's lane thread, and outcomes are told on it.
 */
public interface TargetConnection extends AutoCloseable
{
    void get(Request request);

    void set(Request request, byte[] value);

    void setSafe(Request request, byte[] value);

    void del(Request request);

    /**
     * Sends what the calls since the last flush wrote (a target that flushes by itself does nothing).
     */
    void flush();

    @Override
    void close();
}
