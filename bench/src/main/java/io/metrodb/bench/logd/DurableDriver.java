package io.metrodb.bench.logd;

import io.metrodb.log.DurableListener;
import io.metrodb.log.LogResult;
import io.metrodb.log.LogStore;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A driver thread of mode {@code async}: keeps {@code slots} durable appends in flight. The listener runs on the sync
 * thread: it puts the slot on a single-producer ring and unparks the driver only if the driver is parked, so a group
 * commit costs one wake-up per driver, as an event loop gets one wake-up per batch of replies.
 */
final class DurableDriver extends ThreadedDurableLoad.Worker implements DurableListener
{
    private final LogStore store;
    private final UnsafeBuffer entry;
    private final int slots;
    private final DurableLoad.Window window;
    private final long[] sentNs;
    private final int[] acknowledged;
    private final int mask;
    private final AtomicLong acknowledgedCount = new AtomicLong();
    private volatile boolean parked;
    private volatile int failedStatus = LogResult.OK;
    private long consumed;

    DurableDriver(final LogStore store, final byte[] entry, final int slots, final DurableLoad.Window window)
    {
        super("durable-driver");
        this.store = store;
        this.entry = new UnsafeBuffer(entry);
        this.slots = slots;
        this.window = window;
        this.sentNs = new long[slots];
        final int capacity = Integer.highestOneBit(Math.max(1, slots - 1)) << 1;
        this.acknowledged = new int[capacity];
        this.mask = capacity - 1;
    }

    @Override
    public void run()
    {
        window.awaitStart();
        for (int slot = 0; slot < slots; slot++)
        {
            if (!send(slot, System.nanoTime()))
            {
                return;
            }
        }

        int inFlight = slots;
        while (inFlight > 0)
        {
            final long available = acknowledgedCount.get();
            if (available == consumed)
            {
                parked = true;
                if (acknowledgedCount.get() == consumed)
                {
                    LockSupport.park(this);
                }
                parked = false;
                continue;
            }
            if (failedStatus != LogResult.OK)
            {
                failure = "durable append failed: " + LogResult.describe(failedStatus);
                return;
            }
            final long nowNs = System.nanoTime();
            for (; consumed < available; consumed++)
            {
                final int slot = acknowledged[(int)consumed & mask];
                if (window.inWindow(nowNs))
                {
                    completedInWindow++;
                    latencyNs.recordValue(Math.min(nowNs - sentNs[slot], DurableLoad.HIGHEST_TRACKABLE_NS));
                }
                if (window.over(nowNs))
                {
                    inFlight--;
                }
                else if (!send(slot, nowNs))
                {
                    return;
                }
            }
        }
    }

    private boolean send(final int slot, final long nowNs)
    {
        sentNs[slot] = nowNs;
        long offset;
        while (LogResult.BACK_PRESSURED == (offset = store.appendDurable(entry, 0, entry.capacity(), this, slot, null)))
        {
            Thread.yield();
        }
        if (offset < 0)
        {
            failure = "append failed: " + LogResult.describe(offset);
            return false;
        }
        return true;
    }

    @Override
    public void onDurable(final long requestId, final Object context, final long offset, final int status)
    {
        if (status != LogResult.OK)
        {
            failedStatus = status;
        }
        final long index = acknowledgedCount.get();
        acknowledged[(int)index & mask] = (int)requestId;
        acknowledgedCount.set(index + 1);
        if (parked)
        {
            LockSupport.unpark(thread);
        }
    }
}
