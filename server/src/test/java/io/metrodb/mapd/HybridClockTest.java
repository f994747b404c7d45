package io.metrodb.mapd;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hybrid logical clock against an injected wall clock: versions follow real time, never repeat or go back
 * (the wall clock stepping back, a burst of calls within one millisecond), and a version seen from a peer
 * pushes the clock past it. The clock is single-writer by contract (the data-path thread), so there is no
 * concurrent-callers test.
 */
class HybridClockTest
{
    private static final long T0 = 1_700_000_000_000L;

    /** A wall clock the test sets. */
    private static final class ManualClock
    {
        long nowMs = T0;
    }

    @Test
    void shouldTakeTheWallClockMillisecondsWithCounterZeroWhenTimeMovesOn()
    {
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);

        final long first = clock.next();
        assertEquals(T0 << HybridClock.COUNTER_BITS, first, "48 bits of milliseconds, counter 0");
        assertEquals(T0, HybridClock.millisOf(first));

        wall.nowMs = T0 + 5;
        final long later = clock.next();
        assertEquals((T0 + 5) << HybridClock.COUNTER_BITS, later, "a new millisecond restarts the counter");
        assertEquals(T0 + 5, HybridClock.millisOf(later));
        assertEquals(later, clock.last());
    }

    @Test
    void shouldCountWithinOneMillisecond()
    {
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);
        final long first = clock.next();
        for (int i = 1; i <= 1000; i++)
        {
            final long version = clock.next();
            assertEquals(first + i, version, "call " + i + " in the same millisecond");
            assertEquals(T0, HybridClock.millisOf(version));
        }
    }

    @Test
    void shouldStayStrictlyIncreasingPastSixtyFiveThousandCallsInOneMillisecond()
    {
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);
        long previous = clock.next();
        for (int i = 0; i < (1 << HybridClock.COUNTER_BITS) + 10; i++)
        {
            final long version = clock.next();
            assertTrue(version > previous, "call " + i + ": " + version + " after " + previous);
            previous = version;
        }
        assertEquals(T0 + 1, HybridClock.millisOf(previous), "the counter carried into the milliseconds");

        wall.nowMs = T0 + 1;
        assertTrue(clock.next() > previous, "the wall clock catching up does not reuse a version");
    }

    @Test
    void shouldStayMonotonicWhenTheWallClockGoesBackwards()
    {
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);
        wall.nowMs = T0 + 10_000;
        final long beforeStep = clock.next();

        wall.nowMs = T0;
        final long afterStep = clock.next();
        assertEquals(beforeStep + 1, afterStep, "a wall clock stepped back 10 s only bumps the counter");
        assertEquals(T0 + 10_000, HybridClock.millisOf(afterStep), "the milliseconds never go back");

        wall.nowMs = T0 + 10_001;
        assertEquals((T0 + 10_001) << HybridClock.COUNTER_BITS, clock.next(),
            "follows the wall clock again once it has passed the last version");
    }

    @Test
    void shouldMovePastAVersionObservedFromAPeerAheadOfTheLocalClock()
    {
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);
        clock.next();
        final long peerVersion = ((T0 + 60_000) << HybridClock.COUNTER_BITS) + 7;

        clock.observe(peerVersion);
        assertEquals(peerVersion, clock.last());
        final long next = clock.next();
        assertEquals(peerVersion + 1, next, "past the peer's version, though the wall clock is 60 s behind it");
        assertTrue(HybridClock.isNewer(next, 1, peerVersion, 2), "a local write after it wins under LWW");
    }

    @Test
    void shouldIgnoreAnObservedVersionBehindTheClock()
    {
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);
        final long issued = clock.next();

        clock.observe(issued - 100);
        clock.observe(issued);
        assertEquals(issued, clock.last(), "an older or equal version does not move the clock");
        assertEquals(issued + 1, clock.next());
    }

    @Test
    void shouldStartAtZeroAndFollowTheSystemClockByDefault()
    {
        final HybridClock clock = new HybridClock();
        assertEquals(0, clock.last(), "nothing issued or observed yet");
        final long before = System.currentTimeMillis();
        final long version = clock.next();
        final long after = System.currentTimeMillis();
        final long millis = HybridClock.millisOf(version);
        assertTrue(millis >= before && millis <= after, millis + " within [" + before + ", " + after + "]");
    }

    @Test
    void shouldOrderLastWriterWinsByVersionThenNode()
    {
        assertTrue(HybridClock.isNewer(11, 1, 10, 9), "higher version wins whatever the node");
        assertFalse(HybridClock.isNewer(10, 9, 11, 1));
        assertTrue(HybridClock.isNewer(10, 2, 10, 1), "equal versions: higher node wins");
        assertFalse(HybridClock.isNewer(10, 1, 10, 2));
        assertFalse(HybridClock.isNewer(10, 3, 10, 3), "the same write is not newer than itself");
    }

    @Test
    void shouldIssueIncreasingVersionsPastEveryObservedOneUnderRandomClockSteps()
    {
        final long seed = Long.getLong("hybridClock.seed", System.nanoTime());
        final SplittableRandom random = new SplittableRandom(seed);
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);
        long previous = 0;
        long highestSeen = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final int step = random.nextInt(100);
            if (step < 45)
            {
                wall.nowMs += random.nextInt(3);
            }
            else if (step < 48)
            {
                wall.nowMs += random.nextInt(3_000);
            }
            else if (step < 50)
            {
                wall.nowMs -= random.nextInt(3_000);
            }
            else if (step < 60)
            {
                final long observed = ((wall.nowMs + random.nextInt(-2_000, 2_000)) << HybridClock.COUNTER_BITS) +
                    random.nextInt(1 << HybridClock.COUNTER_BITS);
                clock.observe(observed);
                highestSeen = Math.max(highestSeen, observed);
                assertTrue(clock.last() >= observed, "seed " + seed + ", step " + i + ": last() after observe");
                continue;
            }
            final long version = clock.next();
            assertTrue(version > previous, "seed " + seed + ", step " + i + ": " + version + " after " + previous);
            assertTrue(version > highestSeen, "seed " + seed + ", step " + i + ": past every observed version");
            assertTrue(HybridClock.millisOf(version) >= wall.nowMs,
                "seed " + seed + ", step " + i + ": never behind the wall clock");
            assertEquals(version, clock.last(), "seed " + seed + ", step " + i);
            previous = version;
            highestSeen = Math.max(highestSeen, version);
        }
    }

    /**
     * The grid orders versions as unsigned numbers; the clock must agree, or a version with the top bit set (a bogus
     * peer, or a clock past the year 6429) would be newest in the grid yet ignored by the clock, and every later
     * local write of that key refused as stale.
     */
    @Test
    void shouldOrderVersionsAsUnsignedNumbersLikeTheGrid()
    {
        final ManualClock wall = new ManualClock();
        final HybridClock clock = new HybridClock(() -> wall.nowMs);
        final long topBit = 0x8000_0000_0000_0005L;

        clock.observe(topBit);
        assertEquals(topBit, clock.last(), "a version past 2^63 is newer than the wall clock's");
        final long next = clock.next();
        assertTrue(Long.compareUnsigned(next, topBit) > 0, Long.toUnsignedString(next));

        clock.observe(T0 << HybridClock.COUNTER_BITS);
        assertEquals(next, clock.last(), "an older version does not move the clock back");

        assertTrue(HybridClock.isNewer(topBit, 1, Long.MAX_VALUE, 1));
        assertFalse(HybridClock.isNewer(Long.MAX_VALUE, 1, topBit, 1));
        assertTrue(HybridClock.isNewer(-1L, 1, topBit, 9));
    }
}
