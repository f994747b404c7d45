package io.metrodb.bench.logd;

import io.metrodb.log.DurableListener;
import io.metrodb.log.LogResult;
import io.metrodb.log.LogStore;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.locks.LockSupport;

/**
 * One appender thread of mode {@code threads}: append durably, park until acknowledged, repeat until the window ends.
 */
final class DurableAppender extends ThreadedDurableLoad.Worker implements DurableListener
{
    private static final int PENDING = Integer.MIN_VALUE;

    private final LogStore store;
    private final UnsafeBuffer entry;
    private final DurableLoad.Window window;
    private volatile int status = PENDING;

    DurableAppender(final LogStore store, final byte[] entry, final DurableLoad.Window window)
    {
        super("durable-appender");
        this.store = store;
        this.entry = new UnsafeBuffer(entry);
        this.window = window;
    }

    @Override
    public void run()
    {
        window.awaitStart();

        long nowNs = System.nanoTime();
        while (!window.over(nowNs))
        {
            status = PENDING;
            final long sentNs = nowNs;
            long offset;
            while (LogResult.BACK_PRESSURED == (offset = store.appendDurable(entry, 0, entry.capacity(), this, 0, null)))
            {
                Thread.yield();
            }
            if (offset < 0)
            {
                failure = "append failed: " + LogResult.describe(offset);
                return;
            }
            while (PENDING == status)
            {
                LockSupport.park(this);
            }
            if (LogResult.OK != status)
            {
                failure = "durable append failed: " + LogResult.describe(status);
                return;
            }
            nowNs = System.nanoTime();
            if (window.inWindow(nowNs))
            {
                completedInWindow++;
                latencyNs.recordValue(Math.min(nowNs - sentNs, DurableLoad.HIGHEST_TRACKABLE_NS));
            }
        }
    }

    @Override
    public void onDurable(final long requestId, final Object context, final long offset, final int status)
    {
        this.status = status;
        LockSupport.unpark(thread);
    }
}
