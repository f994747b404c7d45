package io.metrodb.mapd;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadReplicaQueueTest
{
    private static final ByteBuf KEY = Unpooled.wrappedBuffer("key".getBytes(StandardCharsets.US_ASCII));

    private static boolean offer(final BadReplicaQueue queue, final int logdId, final long offset)
    {
        return queue.offer(KEY, 0, 3, logdId, offset, 77L, 5, StatusCodes.CORRUPT_RECORD);
    }

    @Test
    void shouldQueueEachReplicaOnceAndDropAndCountWhenFull()
    {
        final BadReplicaQueue queue = new BadReplicaQueue();
        assertTrue(offer(queue, 1, 0));
        assertFalse(offer(queue, 1, 0), "already waiting");
        for (int i = 1; i < BadReplicaQueue.CAPACITY; i++)
        {
            assertTrue(offer(queue, 2, i * 64L));
        }
        assertEquals(BadReplicaQueue.CAPACITY, queue.size());
        assertFalse(offer(queue, 3, 0));
        assertEquals(1, queue.dropped());
        assertEquals(BadReplicaQueue.CAPACITY, queue.queued());
    }

    @Test
    void shouldDrainOldestFirstWithinTheLimitsAndAcceptAReplicaAgainOnceHandedOver()
    {
        final BadReplicaQueue queue = new BadReplicaQueue();
        for (int i = 0; i < 10; i++)
        {
            offer(queue, 1, i * 64L);
        }
        final ByteBuf out = Unpooled.buffer();
        try
        {
            assertEquals(3, queue.drainTo(out, 3, 1 << 20));
            assertEquals(3 * ProbeResponse.badReplicaLength(3), out.readableBytes());
            assertEquals(0, ProbeResponse.badOffset(out, 0));
            assertEquals(77L, ProbeResponse.badVersion(out, 0));
            assertEquals(5, ProbeResponse.badVersionNode(out, 0));
            assertEquals(StatusCodes.CORRUPT_RECORD, ProbeResponse.badReason(out, 0));
            assertEquals(128, ProbeResponse.badOffset(out, 2 * ProbeResponse.badReplicaLength(3)));

            assertEquals(1, queue.drainTo(out, 100, out.readableBytes() + 1), "stops at the byte limit");
            assertEquals(6, queue.size());
            assertTrue(offer(queue, 1, 0), "handed over, so it may be queued again");
        }
        finally
        {
            out.release();
        }
    }
}
