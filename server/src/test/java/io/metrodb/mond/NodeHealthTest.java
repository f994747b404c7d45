package io.metrodb.mond;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heartbeat state rule, driven by a fake clock: UP on an answer, SUSPECT after 1 missed interval, DOWN
 * after {@code downAfter} misses, UP again on the first answer.
 */
class NodeHealthTest
{
    private static final long INTERVAL_NS = 250_000_000L;

    private long now = 1_000_000_000L;

    private long tick()
    {
        now += INTERVAL_NS;
        return now;
    }

    @Test
    void shouldGoUpSuspectDownAndUpAgain()
    {
        final NodeHealth health = new NodeHealth(4, now);
        assertEquals(NodeHealth.SUSPECT, health.state(), "not heard from yet");
        assertFalse(health.everAnswered());

        assertTrue(health.onAnswer(now + 1_000));
        assertEquals(NodeHealth.UP, health.state());
        assertEquals(now + 1_000, health.sinceNs());
        assertFalse(health.onIntervalEnd(tick()), "answered during the interval: no miss");
        assertEquals(0, health.misses());

        assertTrue(health.onIntervalEnd(tick()), "1 miss: SUSPECT");
        assertEquals(NodeHealth.SUSPECT, health.state());
        assertEquals(now, health.sinceNs());
        final long suspectSince = now;
        assertFalse(health.onIntervalEnd(tick()));
        assertFalse(health.onIntervalEnd(tick()));
        assertEquals(NodeHealth.SUSPECT, health.state(), "3 misses: still SUSPECT");
        assertEquals(suspectSince, health.sinceNs(), "since is when the state began");

        assertTrue(health.onIntervalEnd(tick()), "4 misses: DOWN");
        assertEquals(NodeHealth.DOWN, health.state());
        assertEquals(4, health.misses());
        final long downSince = now;
        assertFalse(health.onIntervalEnd(tick()));
        assertEquals(NodeHealth.DOWN, health.state());
        assertEquals(downSince, health.sinceNs());

        assertTrue(health.onAnswer(now + 5), "the first answer: UP");
        assertEquals(NodeHealth.UP, health.state());
        assertEquals(0, health.misses());
        assertFalse(health.onAnswer(now + 6), "already UP");
    }

    @Test
    void shouldGoDownAfterDownAfterIntervalsWhenNeverAnswered()
    {
        final NodeHealth health = new NodeHealth(4, now);
        for (int i = 1; i <= 3; i++)
        {
            health.onIntervalEnd(tick());
            assertEquals(NodeHealth.SUSPECT, health.state(), "miss " + i);
        }
        assertTrue(health.onIntervalEnd(tick()));
        assertTrue(health.isDown());
        assertFalse(health.everAnswered());
    }

    @Test
    void shouldNeverGoDownWhileAnsweringEveryInterval()
    {
        final NodeHealth health = new NodeHealth(1, now);
        for (int i = 0; i < 100; i++)
        {
            health.onAnswer(now + INTERVAL_NS / 2);
            health.onIntervalEnd(tick());
            assertTrue(health.isUp(), "interval " + i);
        }
    }

    @Test
    void shouldCountAnyIntervalWithoutAnAnswerAsAMiss()
    {
        final NodeHealth health = new NodeHealth(4, now);
        health.onAnswer(now);
        health.onIntervalEnd(tick());
        // Answers every other interval: SUSPECT, then UP again, never DOWN.
        for (int i = 0; i < 10; i++)
        {
            assertTrue(health.onIntervalEnd(tick()));
            assertEquals(NodeHealth.SUSPECT, health.state());
            assertTrue(health.onAnswer(now + 1));
            assertFalse(health.onIntervalEnd(tick()));
        }
        assertTrue(health.isUp());
    }

    @Test
    void shouldGoDownAtOnceWithDownAfterOne()
    {
        final NodeHealth health = new NodeHealth(1, now);
        health.onAnswer(now);
        health.onIntervalEnd(tick());
        assertTrue(health.onIntervalEnd(tick()));
        assertTrue(health.isDown(), "1 miss with --down-after 1");
    }

    @Test
    void shouldBoundTheDetectionTimeByDownAfterPlusOneIntervals()
    {
        // The node dies just after answering at the start of an interval: DOWN at the 5th boundary after it.
        final NodeHealth health = new NodeHealth(4, now);
        final long lastAnswer = now + 1;
        health.onAnswer(lastAnswer);
        int boundaries = 0;
        while (!health.isDown())
        {
            health.onIntervalEnd(tick());
            boundaries++;
        }
        assertEquals(5, boundaries);
        assertTrue(now - lastAnswer <= 5 * INTERVAL_NS);
        assertTrue(now - lastAnswer > 4 * INTERVAL_NS);
    }
}
