package io.metrodb.mond;

import io.metrodb.protocol.testing.TestSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pending repairs with a fake clock and fake logd states: grace, dedupe, bound, backoff; and the rate limit.
 */
class RepairQueueTest
{
    private static final long GRACE_MS = 30_000;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @RegisterExtension
    final TestSeed testSeed = new TestSeed("repair.queue.seed");

    /** logd id -> DOWN since (ns); absent: not DOWN. */
    private final Map<Integer, Long> downSince = new HashMap<>();
    private final RepairQueue.LogdStatus status = (id, nowNs) ->
    {
        final Long since = downSince.get(id);
        return since == null ? -1 : nowNs - since;
    };
    private long now = 5_000 * MS;

    private static byte[] key(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRepairBadBytesAtOnce()
    {
        final RepairQueue queue = new RepairQueue(100, GRACE_MS, status);
        assertEquals(RepairQueue.ADDED, queue.offer(key("k"), 7, 1, 100, 4096, false, 0, now));
        final PendingRepair repair = queue.pollDue(now);
        assertNotNull(repair);
        assertEquals(1, repair.count);
        assertTrue(repair.has(0, PendingRepair.SENT));
        assertNull(queue.pollDue(now), "in flight, not due twice");
        queue.onRepaired(repair, now);
        assertEquals(0, queue.size());
        assertEquals(0, queue.inFlight());
    }

    @Test
    void shouldDedupeByKeyAndVersion()
    {
        final RepairQueue queue = new RepairQueue(100, GRACE_MS, status);
        assertEquals(RepairQueue.ADDED, queue.offer(key("k"), 7, 1, 100, 4096, false, 0, now));
        assertEquals(RepairQueue.DUPLICATE, queue.offer(key("k"), 7, 1, 100, 4096, false, 1, now));
        assertEquals(RepairQueue.MERGED, queue.offer(key("k"), 7, 1, 101, 8192, false, 1, now),
            "another bad replica of the same version joins it");
        assertEquals(RepairQueue.ADDED, queue.offer(key("k"), 8, 1, 100, 4096, false, 0, now), "another version");
        assertEquals(RepairQueue.ADDED, queue.offer(key("k"), 7, 2, 100, 4096, false, 0, now), "another version node");
        assertEquals(3, queue.size());

        final PendingRepair first = queue.pollDue(now);
        assertEquals(7, first.version);
        assertEquals(1, first.versionNode);
        assertEquals(2, first.count, "one REPAIR lists both bad replicas");
        assertEquals(0, first.mapd, "goes to the mapd that found it first");
    }

    @Test
    void shouldWaitForTheGracePeriodOfADownLogd()
    {
        final RepairQueue queue = new RepairQueue(100, GRACE_MS, status);
        downSince.put(100, now);
        now += 1_000 * MS;
        assertEquals(RepairQueue.ADDED, queue.offer(key("k"), 7, 1, 100, 4096, true, 0, now));
        assertFalse(queue.hasDue(now));
        assertNull(queue.pollDue(now), "waits for the grace period");
        now += (GRACE_MS - 1_000) * MS;
        queue.onGraceExpired(100, now);
        final PendingRepair repair = queue.pollDue(now);
        assertNotNull(repair, "due once the logd has been DOWN for the grace period");
        queue.onRepaired(repair, now);
        assertEquals(0, queue.size());

        assertEquals(RepairQueue.ADDED, queue.offer(key("late"), 7, 1, 100, 4096, true, 0, now),
            "found after the grace period expired");
        assertNotNull(queue.pollDue(now), "due at once");
    }

    @Test
    void shouldDropTheRepairsOfALogdBackUpWithinTheGracePeriod()
    {
        final RepairQueue queue = new RepairQueue(100, GRACE_MS, status);
        downSince.put(100, now);
        queue.offer(key("a"), 7, 1, 100, 4096, true, 0, now);
        queue.offer(key("b"), 7, 1, 100, 8192, true, 0, now);
        queue.offer(key("b"), 7, 1, 101, 100, false, 0, now);
        assertEquals(2, queue.size());

        downSince.remove(100);
        assertEquals(2, queue.onLogdUp(100));
        assertEquals(2, queue.cancelled());
        assertEquals(1, queue.size(), "b still has a corrupt replica on logd 101");
        final PendingRepair b = queue.pollDue(now);
        assertEquals(1, b.count);
        assertEquals(101, b.logdIds[0]);
        queue.onRepaired(b, now);
        assertEquals(0, queue.size());
        queue.onGraceExpired(100, now + GRACE_MS * MS);
        assertNull(queue.pollDue(now + GRACE_MS * MS));
    }

    @Test
    void shouldBoundThePendingKeysAndCountDrops()
    {
        final RepairQueue queue = new RepairQueue(3, GRACE_MS, status);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(RepairQueue.ADDED, queue.offer(key("k" + i), 7, 1, 100, i, false, 0, now));
        }
        assertEquals(RepairQueue.DROPPED, queue.offer(key("k3"), 7, 1, 100, 3, false, 0, now));
        assertEquals(RepairQueue.DROPPED, queue.offer(key("k4"), 7, 1, 100, 4, false, 0, now));
        assertEquals(2, queue.dropped());
        assertEquals(RepairQueue.MERGED, queue.offer(key("k0"), 7, 1, 101, 9, false, 0, now),
            "a pending key still takes more replicas");
        assertEquals(3, queue.size());
        queue.onRepaired(queue.pollDue(now), now);
        assertEquals(RepairQueue.ADDED, queue.offer(key("k3"), 7, 1, 100, 3, false, 0, now), "room again");
    }

    @Test
    void shouldRetryWithDoublingBackoffAndAbandonAfterMaxAttempts()
    {
        final RepairQueue queue = new RepairQueue(10, GRACE_MS, status);
        queue.offer(key("k"), 7, 1, 100, 4096, false, 0, now);
        PendingRepair repair = queue.pollDue(now);
        assertTrue(queue.onFailed(repair, now));
        assertFalse(repair.has(0, PendingRepair.SENT));
        assertNull(queue.pollDue(now + 99 * MS), "backs off 100 ms after the first failure");
        repair = queue.pollDue(now + 100 * MS);
        assertNotNull(repair);
        now += 100 * MS;
        assertTrue(queue.onFailed(repair, now));
        assertNull(queue.pollDue(now + 199 * MS), "then 200 ms");
        assertSame(repair, queue.pollDue(now + 200 * MS));
        now += 200 * MS;
        assertEquals(10_000 * MS, RepairQueue.backoffNs(12), "capped");

        int attempts = 3;
        boolean kept = true;
        while (kept)
        {
            kept = queue.onFailed(repair, now);
            if (kept)
            {
                now += RepairQueue.MAX_BACKOFF_MS * MS;
                repair = queue.pollDue(now);
                assertNotNull(repair);
                attempts++;
            }
        }
        assertEquals(RepairQueue.MAX_ATTEMPTS, attempts);
        assertEquals(1, queue.abandoned());
        assertEquals(0, queue.size());
    }

    @Test
    void shouldForgetAStaleVersion()
    {
        final RepairQueue queue = new RepairQueue(10, GRACE_MS, status);
        queue.offer(key("k"), 7, 1, 100, 4096, false, 0, now);
        final PendingRepair repair = queue.pollDue(now);
        queue.offer(key("k"), 7, 1, 101, 1, false, 0, now);
        queue.onStale(repair);
        assertEquals(0, queue.size(), "every replica of a changed version is moot");
        assertNull(queue.pollDue(now));
    }

    @Test
    void shouldKeepAReplicaThatJoinedWhileInFlight()
    {
        final RepairQueue queue = new RepairQueue(10, GRACE_MS, status);
        queue.offer(key("k"), 7, 1, 100, 4096, false, 0, now);
        final PendingRepair repair = queue.pollDue(now);
        assertEquals(RepairQueue.MERGED, queue.offer(key("k"), 7, 1, 101, 1, false, 0, now));
        queue.onRepaired(repair, now);
        assertEquals(1, queue.size());
        final PendingRepair again = queue.pollDue(now);
        assertNotNull(again, "the replica that joined is repaired next");
        assertEquals(1, again.count);
        assertEquals(101, again.logdIds[0]);
    }

    @Test
    void shouldDropAReplicaOfALogdBackUpWhenItsRepairFails()
    {
        final RepairQueue queue = new RepairQueue(10, 0, status);
        downSince.put(100, now);
        queue.offer(key("k"), 7, 1, 100, 4096, true, 0, now);
        final PendingRepair repair = queue.pollDue(now);
        assertNotNull(repair, "grace 0: due at once");
        downSince.remove(100);
        queue.onLogdUp(100);
        assertEquals(1, queue.size(), "in flight: kept until its answer");
        queue.onFailed(repair, now);
        assertEquals(0, queue.size(), "the logd is back, nothing left to repair");
    }

    @Test
    void shouldReleaseRepairsAtTheConfiguredRate()
    {
        final RateLimiter limiter = new RateLimiter(500, 50, now);
        int taken = 0;
        while (limiter.tryAcquire(now))
        {
            taken++;
        }
        assertEquals(50, taken, "a full bucket: the burst");
        final long start = now;
        taken = 0;
        for (int ms = 1; ms <= 2_000; ms++)
        {
            now = start + ms * MS;
            while (limiter.tryAcquire(now))
            {
                taken++;
            }
        }
        assertEquals(1_000, taken, 1, "500 a second over 2 s");
        assertFalse(limiter.hasToken(now));
        now += 10 * 1_000 * MS;
        taken = 0;
        while (limiter.tryAcquire(now))
        {
            taken++;
        }
        assertEquals(50, taken, "idle time saves at most the burst");
    }

    @Test
    void shouldMatchAModelUnderRandomOperations()
    {
        final SplittableRandom random = testSeed.random();
        final RepairQueue queue = new RepairQueue(50, 0, status);
        // Model: pending (key, version) -> bad (logd, offset) pairs not yet repaired.
        final Map<String, java.util.Set<String>> model = new HashMap<>();
        final Map<PendingRepair, java.util.Set<String>> sent = new HashMap<>();
        for (int op = 0; op < 20_000; op++)
        {
            now += random.nextInt(50) * MS;
            final int choice = random.nextInt(10);
            if (choice < 5)
            {
                final String k = "k" + random.nextInt(80);
                final int version = random.nextInt(2);
                final int logd = 100 + random.nextInt(3);
                final long offset = random.nextInt(4);
                final int result = queue.offer(key(k), version, 1, logd, offset, false, 0, now);
                final String id = k + "/" + version;
                final String replica = logd + "@" + offset;
                if (result == RepairQueue.DROPPED)
                {
                    assertFalse(model.containsKey(id), "dropped only new keys");
                    assertEquals(50, model.size(), "dropped only when full");
                }
                else
                {
                    assertEquals(result == RepairQueue.ADDED, !model.containsKey(id), "added iff new");
                    final boolean fresh = model.computeIfAbsent(id, x -> new java.util.HashSet<>()).add(replica);
                    assertEquals(result == RepairQueue.DUPLICATE, !fresh, "duplicate iff known");
                }
            }
            else if (choice < 8)
            {
                final PendingRepair repair = queue.pollDue(now);
                if (repair != null)
                {
                    final java.util.Set<String> listed = new java.util.HashSet<>();
                    for (int i = 0; i < repair.count; i++)
                    {
                        if (repair.has(i, PendingRepair.SENT))
                        {
                            listed.add(repair.logdIds[i] + "@" + repair.offsets[i]);
                        }
                    }
                    sent.put(repair, listed);
                }
            }
            else if (!sent.isEmpty())
            {
                final PendingRepair repair = sent.keySet().iterator().next();
                final java.util.Set<String> listed = sent.remove(repair);
                final String id = new String(repair.key, StandardCharsets.UTF_8) + "/" + repair.version;
                if (random.nextBoolean())
                {
                    queue.onRepaired(repair, now);
                    model.get(id).removeAll(listed);
                    if (model.get(id).isEmpty())
                    {
                        model.remove(id);
                    }
                }
                else if (!queue.onFailed(repair, now))
                {
                    model.remove(id);
                }
            }
            assertEquals(model.size(), queue.size(), "pending keys after op " + op + " (" + testSeed.describe() + ")");
            assertEquals(sent.size(), queue.inFlight());
        }
    }
}
