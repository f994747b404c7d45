package io.metrodb.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Preallocated multi-producer, single-consumer ring of durable appends waiting for a force.
 * <p>
 * A producer {@link #claim()}s a slot before appending (so a full ring rejects the append, rather than leaving
 * a record nobody will acknowledge), then {@link #commit}s or {@link #cancel}s it. Slots are parallel arrays and
 * a per-slot sequence marks publication, so steady state allocates nothing. The sync thread consumes in claim order.
 */
final class DurableRequestQueue
{
    private static final long SEALED = Long.MIN_VALUE;

    private final int capacity;
    private final int mask;
    private final AtomicLong producerIndex = new AtomicLong();
    private final AtomicLong consumerIndex = new AtomicLong();
    private final AtomicLongArray publishedSequence;
    private final long[] endPositions;
    private final long[] offsets;
    private final long[] requestIds;
    private final DurableListener[] listeners;
    private final Object[] contexts;

    DurableRequestQueue(final int capacity)
    {
        this.capacity = capacity;
        this.mask = capacity - 1;
        publishedSequence = new AtomicLongArray(capacity);
        endPositions = new long[capacity];
        offsets = new long[capacity];
        requestIds = new long[capacity];
        listeners = new DurableListener[capacity];
        contexts = new Object[capacity];
    }

    /**
     * @return a sequence to commit or cancel, or {@link LogResult#BACK_PRESSURED} / {@link LogResult#CLOSED}.
     */
    long claim()
    {
        while (true)
        {
            final long index = producerIndex.get();
            if (index < 0)
            {
                return LogResult.CLOSED;
            }
            if (index - consumerIndex.get() >= capacity)
            {
                return LogResult.BACK_PRESSURED;
            }
            if (producerIndex.compareAndSet(index, index + 1))
            {
                return index;
            }
        }
    }

    void commit(
        final long sequence,
        final long offset,
        final long endPosition,
        final DurableListener listener,
        final long requestId,
        final Object context)
    {
        final int slot = (int)sequence & mask;
        endPositions[slot] = endPosition;
        offsets[slot] = offset;
        requestIds[slot] = requestId;
        listeners[slot] = listener;
        contexts[slot] = context;
        publishedSequence.lazySet(slot, sequence + 1);
    }

    void cancel(final long sequence)
    {
        final int slot = (int)sequence & mask;
        listeners[slot] = null;
        contexts[slot] = null;
        publishedSequence.lazySet(slot, sequence + 1);
    }

    /**
     * Stop further claims.
     *
     * @return the number of sequences ever claimed.
     */
    long seal()
    {
        return producerIndex.getAndUpdate(index -> index | SEALED) & ~SEALED;
    }

    /**
     * @return true when some claimed slot has not been consumed.
     */
    boolean hasPending()
    {
        return (producerIndex.get() & ~SEALED) != consumerIndex.get();
    }

    /**
     * @return slots claimed and not yet consumed: durable appends waiting for a force (or still copying).
     */
    long waiting()
    {
        return (producerIndex.get() & ~SEALED) - consumerIndex.get();
    }

    /**
     * @return true when every claimed slot is committed or cancelled.
     */
    boolean allPublished()
    {
        final long limit = producerIndex.get() & ~SEALED;
        for (long sequence = consumerIndex.get(); sequence < limit; sequence++)
        {
            if (publishedSequence.get((int)sequence & mask) != sequence + 1)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Consumer only: complete requests in claim order while their end position is at most {@code durablePosition}.
     *
     * @param durablePosition records below this are on disk.
     * @param status          status to report, {@link LogResult#OK} unless failing everything.
     * @param stats           where acknowledgements (status OK: each, and the group) and listener failures are
     *                        counted.
     * @return requests completed (cancelled slots not counted).
     */
    int complete(final long durablePosition, final int status, final LogStats stats)
    {
        long sequence = consumerIndex.get();
        int completed = 0;
        DurableListener batchListener = null;
        while (true)
        {
            final int slot = (int)sequence & mask;
            if (publishedSequence.get(slot) != sequence + 1)
            {
                break;
            }

            final DurableListener listener = listeners[slot];
            if (null != listener)
            {
                if (endPositions[slot] > durablePosition)
                {
                    break;
                }
                if (status == LogResult.OK)
                {
                    // Counted before the listener answers, so a client that sees its reply also sees the count.
                    stats.durableAck(completed == 0);
                }
                if (listener != batchListener)
                {
                    endBatch(batchListener, stats);
                    batchListener = listener;
                }
                try
                {
                    listener.onDurable(requestIds[slot], contexts[slot], offsets[slot], status);
                }
                catch (final Throwable ex)
                {
                    stats.listenerError();
                }
                completed++;
            }

            listeners[slot] = null;
            contexts[slot] = null;
            sequence++;
            consumerIndex.lazySet(sequence);
        }
        endBatch(batchListener, stats);
        return completed;
    }

    private static void endBatch(final DurableListener listener, final LogStats stats)
    {
        if (null != listener)
        {
            try
            {
                listener.onBatchEnd();
            }
            catch (final Throwable ex)
            {
                stats.listenerError();
            }
        }
    }
}
