package io.metrodb.logd;

import io.metrodb.log.DurableListener;

import java.util.Arrays;

/**
 * Answers durable APPENDs once their group commit is forced. One instance serves every connection: the
 * connection's {@link DurableReplies} travels as the append's context. During a group the answers are only queued
 * on their connections; at the end of the group each connection that got answers is handed its batch at once, so
 * its event loop wakes once per group and sends the batch with one flush.
 * <p>
 * Sync thread only (or the thread closing the store, once the sync thread has stopped).
 */
public final class DurableReplier implements DurableListener
{
    private DurableReplies[] touched = new DurableReplies[16];
    private int touchedCount;

    @Override
    public void onDurable(final long requestId, final Object context, final long offset, final int status)
    {
        final DurableReplies replies = (DurableReplies)context;
        if (replies.queue(requestId, offset, status))
        {
            if (touchedCount == touched.length)
            {
                touched = Arrays.copyOf(touched, touchedCount * 2);
            }
            touched[touchedCount++] = replies;
        }
    }

    @Override
    public void onBatchEnd()
    {
        for (int i = 0; i < touchedCount; i++)
        {
            touched[i].handOver();
            touched[i] = null;
        }
        touchedCount = 0;
    }
}
