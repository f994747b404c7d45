package io.metrodb.client;

import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.mapd.WriteResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * How a call completes, exactly once: its future (the one object a call allocates besides the call), or on the
 * callback path a {@link ReplyHandler}, told the reply's fields without a result object; such a call comes from a
 * {@link CallPool} and goes back to it once the handler returned. Frees the call's in-flight permit first.
 */
abstract class CallCompletion
{
    private static final AtomicIntegerFieldUpdater<CallCompletion> DONE =
        AtomicIntegerFieldUpdater.newUpdater(CallCompletion.class, "done");

    /** Completed by a future call; null on the callback path. */
    final CompletableFuture<Object> future;
    final ClientCore client;
    byte opcode;
    private ReplyHandler handler;
    private volatile int done;

    CallCompletion(final ClientCore client, final CompletableFuture<Object> future)
    {
        this.client = client;
        this.future = future;
    }

    /**
     * Readies the completion of a new call, on the calling thread.
     *
     * @param handler told the outcome, or null when the future is.
     */
    void arm(final byte opcode, final ReplyHandler handler)
    {
        this.opcode = opcode;
        this.handler = handler;
        done = 0;
    }

    /**
     * Drops the reference to the caller's handler before the call is pooled.
     */
    void clear()
    {
        handler = null;
    }

    /**
     * Gives this call back to the pool (callback path, completed normally, handler returned).
     */
    abstract void recycle();

    boolean isDone()
    {
        return done != 0;
    }

    /**
     * A GET found a value, at {@code index} in {@code frame} (valid during this call only).
     */
    final void completeValue(final ByteBuf frame, final int index, final int length)
    {
        if (DONE.compareAndSet(this, 0, 1))
        {
            client.release();
            if (handler == null)
            {
                future.complete(ByteBufUtil.getBytes(frame, index, length));
                return;
            }
            try
            {
                handler.onValue(frame, index, length);
            }
            catch (final RuntimeException e)
            {
                handlerThrew(e);
            }
            recycle();
        }
    }

    /**
     * A SET or SETSAFE was applied: the write response at {@code at} in {@code frame}.
     */
    final void completeWritten(final ByteBuf frame, final int at)
    {
        if (DONE.compareAndSet(this, 0, 1))
        {
            client.release();
            final long version = WriteResponse.version(frame, at);
            final int versionNode = WriteResponse.versionNode(frame, at);
            final int replicas = WriteResponse.replicas(frame, at);
            final int peersAcked = WriteResponse.peersAcked(frame, at);
            final int peersLive = WriteResponse.peersLive(frame, at);
            if (handler == null)
            {
                future.complete(new WriteResult(version, versionNode, replicas, peersAcked, peersLive));
                return;
            }
            try
            {
                handler.onWritten(version, versionNode, replicas, peersAcked, peersLive);
            }
            catch (final RuntimeException e)
            {
                handlerThrew(e);
            }
            recycle();
        }
    }

    /**
     * @param found true for EXISTS of a live key or DEL that deleted a live value; false for GET, EXISTS or DEL of a
     *              key that does not exist.
     */
    final void completeFound(final boolean found)
    {
        if (DONE.compareAndSet(this, 0, 1))
        {
            client.release();
            if (handler == null)
            {
                future.complete(found ? Boolean.TRUE : opcode == Opcodes.GET ? null : Boolean.FALSE);
                return;
            }
            try
            {
                if (found)
                {
                    handler.onFound();
                }
                else
                {
                    handler.onNotFound();
                }
            }
            catch (final RuntimeException e)
            {
                handlerThrew(e);
            }
            recycle();
        }
    }

    /**
     * Fails the call, from any thread. A pooled call is not given back: a parked task or {@link ClientLifecycle}
     * may still hold it.
     */
    void fail(final MetroException error)
    {
        if (DONE.compareAndSet(this, 0, 1))
        {
            client.release();
            if (handler == null)
            {
                future.completeExceptionally(error);
            }
            else
            {
                try
                {
                    handler.onError(error);
                }
                catch (final RuntimeException e)
                {
                    handlerThrew(e);
                }
            }
        }
    }

    /**
     * A handler must not throw: its exception goes to the thread's uncaught-exception handler, not into the
     * connection's pipeline (which would close the connection).
     */
    private static void handlerThrew(final RuntimeException e)
    {
        final Thread thread = Thread.currentThread();
        thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
    }
}
