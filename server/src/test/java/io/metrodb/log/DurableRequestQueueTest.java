package io.metrodb.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurableRequestQueueTest
{
    private final LogStats stats = new LogStats(4096);
    private final List<String> calls = new ArrayList<>();
    private final DurableListener listener =
        (requestId, context, offset, status) -> calls.add(requestId + ":" + context + ":" + offset + ":" + status);

    @Test
    void shouldCompleteInClaimOrderUpToDurablePosition()
    {
        final DurableRequestQueue queue = new DurableRequestQueue(4);
        final long a = queue.claim();
        final long b = queue.claim();
        final long c = queue.claim();
        queue.commit(b, 100, 200, listener, 2, "b");
        queue.commit(a, 0, 100, listener, 1, "a");
        queue.cancel(c);

        assertEquals(0, queue.complete(99, LogResult.OK, stats));
        assertEquals(1, queue.complete(150, LogResult.OK, stats));
        assertEquals(List.of("1:a:0:0"), calls);
        assertTrue(queue.hasPending());
        assertEquals(1, queue.complete(200, LogResult.OK, stats));
        assertFalse(queue.hasPending(), "cancelled slot consumed");
        assertEquals(List.of("1:a:0:0", "2:b:100:0"), calls);
    }

    @Test
    void shouldStopAtAClaimedButUnpublishedSlot()
    {
        final DurableRequestQueue queue = new DurableRequestQueue(4);
        final long a = queue.claim();
        final long b = queue.claim();
        queue.commit(b, 0, 8, listener, 2, null);
        assertEquals(0, queue.complete(Long.MAX_VALUE, LogResult.OK, stats));
        assertFalse(queue.allPublished());
        queue.commit(a, 8, 16, listener, 1, null);
        assertTrue(queue.allPublished());
        assertEquals(2, queue.complete(Long.MAX_VALUE, LogResult.OK, stats));
    }

    @Test
    void shouldBackPressureWhenFullAndReuseSlotsAfterwards()
    {
        final DurableRequestQueue queue = new DurableRequestQueue(2);
        for (int round = 0; round < 5; round++)
        {
            final long a = queue.claim();
            final long b = queue.claim();
            assertEquals(LogResult.BACK_PRESSURED, queue.claim());
            queue.commit(a, 0, 8, listener, round, null);
            queue.commit(b, 8, 16, listener, round, null);
            assertEquals(2, queue.complete(16, LogResult.OK, stats));
        }
        assertEquals(10, calls.size());
    }

    @Test
    void shouldRefuseClaimsAfterSealAndFailTheRest()
    {
        final DurableRequestQueue queue = new DurableRequestQueue(4);
        final long a = queue.claim();
        queue.commit(a, 0, 8, listener, 1, null);
        assertEquals(1, queue.seal());
        assertEquals(LogResult.CLOSED, queue.claim());
        assertEquals(1, queue.complete(Long.MAX_VALUE, LogResult.CLOSED, stats));
        assertEquals(List.of("1:null:0:" + LogResult.CLOSED), calls);
    }

    @Test
    void shouldCountThrowingListenerAndCarryOn()
    {
        final DurableRequestQueue queue = new DurableRequestQueue(4);
        queue.commit(queue.claim(), 0, 8, (r, c, o, s) -> { throw new IllegalStateException("boom"); }, 1, null);
        queue.commit(queue.claim(), 8, 16, listener, 2, null);
        assertEquals(2, queue.complete(16, LogResult.OK, stats));
        assertEquals(1, stats.listenerErrors());
        assertEquals(1, calls.size());
    }

    @Test
    void shouldEndEachRunOfOneListenerWithABatchEnd()
    {
        final List<String> events = new ArrayList<>();
        final DurableListener a = batchListener("a", events);
        final DurableListener b = batchListener("b", events);
        final DurableRequestQueue queue = new DurableRequestQueue(8);
        queue.commit(queue.claim(), 0, 8, a, 1, null);
        queue.commit(queue.claim(), 8, 16, a, 2, null);
        queue.commit(queue.claim(), 16, 24, b, 3, null);
        queue.cancel(queue.claim());
        queue.commit(queue.claim(), 24, 32, b, 4, null);
        queue.commit(queue.claim(), 32, 40, a, 5, null);
        queue.commit(queue.claim(), 40, 48, a, 6, null);

        assertEquals(5, queue.complete(40, LogResult.OK, stats));
        assertEquals(List.of("a1", "a2", "a:end", "b3", "b4", "b:end", "a5", "a:end"), events);

        events.clear();
        assertEquals(0, queue.complete(40, LogResult.OK, stats));
        assertEquals(List.of(), events, "no batch end without answers");
        assertEquals(1, queue.complete(48, LogResult.OK, stats));
        assertEquals(List.of("a6", "a:end"), events);
    }

    private static DurableListener batchListener(final String name, final List<String> events)
    {
        return new DurableListener()
        {
            @Override
            public void onDurable(final long requestId, final Object context, final long offset, final int status)
            {
                events.add(name + requestId);
            }

            @Override
            public void onBatchEnd()
            {
                events.add(name + ":end");
            }
        };
    }
}
