package io.metrodb.mapd;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backlog of this mapd's last N changes: what it holds (the last {@code capacity} recorded, never what came
 * before the first recorded or before recovery), where each sits in the journal, and which SYNC starting points
 * it can serve (held ones and "from the next one").
 */
class BacklogTest
{
    @Test
    void shouldRejectACapacityThatIsNotAPowerOfTwo()
    {
        for (final int capacity : new int[] {0, 3, 6, 1000, -1, -4, Integer.MIN_VALUE})
        {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Backlog(capacity),
                "capacity " + capacity);
            assertTrue(e.getMessage().contains("power of two") && e.getMessage().contains(Integer.toString(capacity)),
                e.getMessage());
        }
        assertEquals(1, new Backlog(1).capacity());
        assertEquals(1 << 20, new Backlog(1 << 20).capacity());
    }

    @Test
    void shouldServeOnlyFromTheFirstSequenceWhenNothingWasRecorded()
    {
        final Backlog backlog = new Backlog(8);
        assertEquals(0, backlog.newest());
        assertEquals(1, backlog.oldest(), "newest + 1 when empty");
        assertTrue(backlog.covers(1), "\"from 1\" asks for nothing yet: nothing missed");
        assertFalse(backlog.covers(0));
        assertFalse(backlog.covers(2), "ahead of anything this mapd numbered");
    }

    @Test
    void shouldHoldEveryChangeWhileWithinCapacity()
    {
        final Backlog backlog = new Backlog(8);
        for (long sequence = 1; sequence <= 8; sequence++)
        {
            backlog.record(sequence, sequence * 100);
        }
        assertEquals(1, backlog.oldest());
        assertEquals(8, backlog.newest());
        for (long sequence = 1; sequence <= 8; sequence++)
        {
            assertTrue(backlog.covers(sequence), "from " + sequence);
            assertEquals(sequence * 100, backlog.position(sequence), "position of " + sequence);
        }
        assertTrue(backlog.covers(9), "from newest + 1: the peer missed nothing");
        assertFalse(backlog.covers(10));
        assertFalse(backlog.covers(0));
    }

    @Test
    void shouldKeepOnlyTheLastCapacityChangesOnceTheRingWraps()
    {
        final Backlog backlog = new Backlog(8);
        for (long sequence = 1; sequence <= 20; sequence++)
        {
            backlog.record(sequence, sequence * 100);
        }
        assertEquals(13, backlog.oldest(), "20 - 8 + 1");
        assertEquals(20, backlog.newest());
        assertFalse(backlog.covers(12), "fell off: the peer needs a full snapshot");
        assertFalse(backlog.covers(1));
        for (long sequence = 13; sequence <= 20; sequence++)
        {
            assertTrue(backlog.covers(sequence), "from " + sequence);
            assertEquals(sequence * 100, backlog.position(sequence), "position of " + sequence + " after the wrap");
        }
        assertTrue(backlog.covers(21));
        assertFalse(backlog.covers(22));
    }

    @Test
    void shouldNotClaimChangesBeforeTheFirstRecordedOne()
    {
        // A new mapd numbers from the clock, so its first change is far above 1.
        final long first = 1_700_000_000_000L << HybridClock.COUNTER_BITS;
        final Backlog backlog = new Backlog(1 << 10);
        backlog.record(first, 0);
        backlog.record(first + 1, 64);
        assertEquals(first, backlog.oldest());
        assertFalse(backlog.covers(first - 1), "never recorded");
        assertFalse(backlog.covers(1), "never recorded");
        assertTrue(backlog.covers(first));
        assertEquals(64, backlog.position(first + 1));
        assertTrue(backlog.covers(first + 2));
    }

    @Test
    void shouldStartAfterTheRecoveredSequenceWhenTheJournalTailHeldNoOwnChange()
    {
        final Backlog backlog = new Backlog(8);
        backlog.recovered(500);
        assertEquals(501, backlog.oldest(), "changes up to 500 are in the snapshot, not in the backlog");
        assertEquals(500, backlog.newest());
        assertFalse(backlog.covers(500), "a peer missing 500 needs a full snapshot");
        assertTrue(backlog.covers(501), "a peer that has 500 missed nothing");
        assertFalse(backlog.covers(502));

        backlog.record(501, 4096);
        assertEquals(501, backlog.oldest());
        assertEquals(501, backlog.newest());
        assertEquals(4096, backlog.position(501));
        assertFalse(backlog.covers(500));
        assertTrue(backlog.covers(502));
    }

    @Test
    void shouldKeepWhatReplayRecordedWhenRecovered()
    {
        final Backlog backlog = new Backlog(8);
        backlog.record(41, 1000);
        backlog.record(42, 2000);
        backlog.recovered(42);
        assertEquals(41, backlog.oldest(), "replay found 41 and 42 in the journal");
        assertEquals(42, backlog.newest());
        assertEquals(1000, backlog.position(41));
        assertTrue(backlog.covers(41));
    }

    @Test
    void shouldHoldOnlyTheNewestWithCapacityOne()
    {
        final Backlog backlog = new Backlog(1);
        backlog.record(1, 10);
        backlog.record(2, 20);
        assertEquals(2, backlog.oldest());
        assertEquals(20, backlog.position(2));
        assertFalse(backlog.covers(1));
        assertTrue(backlog.covers(2));
        assertTrue(backlog.covers(3));
    }

    @Test
    void shouldAgreeWithAReferenceModelUnderRandomHistories()
    {
        final long seed = Long.getLong("backlog.seed", System.nanoTime());
        final SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++)
        {
            final int capacity = 1 << random.nextInt(0, 7);
            final Backlog backlog = new Backlog(capacity);
            final long recovered = random.nextBoolean() ? 0 : random.nextLong(1, 1L << 40);
            final int replayed = random.nextInt(0, 3 * capacity);
            final Map<Long, Long> positions = new HashMap<>();
            long sequence = recovered;
            long position = random.nextLong(0, 1 << 20);
            // Replay records the journal tail's own changes, then recovery says where numbering stands.
            for (int i = 0; i < replayed; i++)
            {
                sequence++;
                position += random.nextInt(24, 4096);
                backlog.record(sequence, position);
                positions.put(sequence, position);
            }
            backlog.recovered(sequence);
            final int live = random.nextInt(0, 3 * capacity);
            for (int i = 0; i < live; i++)
            {
                sequence++;
                position += random.nextInt(24, 4096);
                backlog.record(sequence, position);
                positions.put(sequence, position);
            }
            final long firstRecorded = positions.isEmpty() ? sequence + 1 : recovered + 1;
            final long expectedOldest = Math.max(firstRecorded, sequence - capacity + 1);
            final String where = "seed " + seed + ", round " + round + ", capacity " + capacity + ", recovered " +
                recovered + ", newest " + sequence;
            assertEquals(sequence, backlog.newest(), where);
            assertEquals(expectedOldest, backlog.oldest(), where);
            for (long from = Math.max(0, expectedOldest - 3); from <= sequence + 3; from++)
            {
                final boolean held = from >= expectedOldest && from <= sequence;
                assertEquals(held || from == sequence + 1, backlog.covers(from), where + ", from " + from);
                if (held)
                {
                    assertEquals(positions.get(from), backlog.position(from), where + ", position of " + from);
                }
            }
        }
    }
}
