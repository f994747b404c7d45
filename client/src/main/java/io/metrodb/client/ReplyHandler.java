package io.metrodb.client;

import io.netty.buffer.ByteBuf;

/**
 * Told the outcome of a call made on the callback path ({@link MetroClient#get(byte[], ReplyHandler)} and the
 * like), which allocates no future: an application keeps one handler (or a few) and passes it to call after call,
 * so a steady stream of calls allocates nothing on the calling thread.
 *
 * <p><b>Threads.</b> Exactly one method is called per call, on the client's I/O thread (the event loop of the
 * connection that answered), or on the calling thread when the call fails before anything is sent (client closed,
 * {@link MetroOverloadedException} under {@link OverflowPolicy#FAIL_FAST}). A handler shared by calls on several
 * I/O threads ({@code ioThreads > 1}) or by several calling threads must be thread-safe. It <b>must not
 * block</b>: it holds up every connection of that I/O thread. It must not throw either; an exception it throws is
 * given to the thread's uncaught-exception handler. It may start further calls (they then fail fast rather than
 * wait when the client is at its in-flight bound).
 *
 * <p>The key and value arrays handed to a call are read when the request is encoded, on the I/O thread: do not
 * change them until the call's handler was told.
 */
public interface ReplyHandler
{
    /**
     * A GET found a value.
     *
     * @param buffer holds the value; valid only during this call (copy what you keep), do not release it.
     * @param index  the value's first byte in {@code buffer}.
     * @param length the value's length in bytes (may be 0).
     */
    void onValue(ByteBuf buffer, int index, int length);

    /**
     * A SET or SETSAFE was applied (the fields of {@link WriteResult}, without the object).
     *
     * @param version     the version the write got.
     * @param versionNode the node id of the mapd that accepted it.
     * @param replicas    logd replicas written.
     * @param peersAcked  peer mapds that acknowledged it (SETSAFE; 0 for SET).
     * @param peersLive   peer mapds live when it was broadcast.
     */
    void onWritten(long version, int versionNode, int replicas, int peersAcked, int peersLive);

    /**
     * An EXISTS found the key live, or a DEL deleted a live value.
     */
    void onFound();

    /**
     * A GET, EXISTS or DEL found no live value for the key (not an error).
     */
    void onNotFound();

    /**
     * The call failed; the same failures as the future forms report.
     *
     * @param error what happened: {@link MetroTimeoutException}, {@link NotEnoughReplicasException}, ...
     */
    void onError(MetroException error);
}
