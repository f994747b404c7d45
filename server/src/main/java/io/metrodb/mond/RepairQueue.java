package io.metrodb.mond;

import org.agrona.collections.Long2LongHashMap;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * The pending repairs: bad replicas found by probes, deduplicated by (key, version, version node), bounded,
 * released at a rate, retried with backoff. Single-threaded (mond's loop); time is passed in.
 * <p>
 * Rules:
 * <ul>
 *   <li>A replica with bad bytes is due at once. A replica on a DOWN logd (reported UNAVAILABLE) waits until
 *   that logd has been DOWN for the grace period ({@link #onGraceExpired}); if the logd comes back UP first,
 *   it is dropped ({@link #onLogdUp}).</li>
 *   <li>At most {@code capacity} keys are pending; a new key beyond that is dropped and counted (the scrub finds
 *   it again). A new bad replica of a key already pending joins it.</li>
 *   <li>A failed REPAIR is retried after a backoff doubling from {@link #INITIAL_BACKOFF_MS} to
 *   {@link #MAX_BACKOFF_MS}, at most {@link #MAX_ATTEMPTS} times, then abandoned and counted.</li>
 * </ul>
 */
final class RepairQueue
{
    static final int ADDED = 0;
    static final int MERGED = 1;
    static final int DUPLICATE = 2;
    static final int DROPPED = 3;

    static final long INITIAL_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 10_000;
    static final int MAX_ATTEMPTS = 16;
    /** A REPAIR lists at most this many bad replicas (a u8 count). */
    static final int MAX_REPLICAS_PER_REPAIR = 255;
    static final long RECENTLY_REPAIRED_NS = TimeUnit.SECONDS.toNanos(60);
    static final int RECENTLY_REPAIRED_MAX = 4096;

    /**
     * What the queue needs to know about logds.
     */
    interface LogdStatus
    {
        /**
         * @return how long the logd has been DOWN at {@code nowNs}, or -1 when it is not DOWN.
         */
        long downForNs(int logdId, long nowNs);
    }

    private final int capacity;
    private final long graceNs;
    private final LogdStatus logds;
    private final Map<PendingRepair, PendingRepair> pending = new HashMap<>();
    /**
     * Replicas repaired lately and when, for the event lines only: a probe that read a key just before its repair
     * reports the old bad replica once more, and the REPAIR that follows changes nothing; neither is a new event.
     */
    private final Long2LongHashMap repairedAt = new Long2LongHashMap(Long.MIN_VALUE);
    private final PriorityQueue<PendingRepair> due = new PriorityQueue<>((a, b) ->
    {
        final long byTime = a.notBeforeNs - b.notBeforeNs;
        return byTime != 0 ? (byTime < 0 ? -1 : 1) : Long.compare(a.sequence, b.sequence);
    });
    private long sequence;
    private int inFlight;

    private long dropped;
    private long cancelled;
    private long abandoned;

    /**
     * @param capacity most keys pending.
     * @param graceMs  how long a logd must be DOWN before its replicas are repaired.
     * @param logds    tells which logds are DOWN and since when.
     */
    RepairQueue(final int capacity, final long graceMs, final LogdStatus logds)
    {
        if (capacity < 1 || graceMs < 0)
        {
            throw new IllegalArgumentException("capacity must be >= 1 and grace >= 0");
        }
        this.capacity = capacity;
        this.graceNs = TimeUnit.MILLISECONDS.toNanos(graceMs);
        this.logds = logds;
    }

    /**
     * Records a bad replica.
     *
     * @param fromDownLogd true for a replica not read because its logd is DOWN (it waits for the grace
     *                     period); false for bad bytes (due at once).
     * @param mapd         the reporting mapd's index, where the REPAIR goes first.
     * @return {@link #ADDED} (a new pending key), {@link #MERGED} (a new replica of a pending key),
     * {@link #DUPLICATE} (already pending) or {@link #DROPPED} (the queue is full).
     */
    int offer(
        final byte[] key,
        final long version,
        final int versionNode,
        final int logdId,
        final long offset,
        final boolean fromDownLogd,
        final int mapd,
        final long nowNs)
    {
        final PendingRepair candidate = new PendingRepair(key, version, versionNode);
        PendingRepair repair = pending.get(candidate);
        final int result;
        if (repair == null)
        {
            if (pending.size() >= capacity)
            {
                dropped++;
                return DROPPED;
            }
            repair = candidate;
            repair.mapd = mapd;
            repair.sequence = sequence++;
            pending.put(repair, repair);
            result = ADDED;
        }
        else if (repair.indexOf(logdId, offset) >= 0)
        {
            return DUPLICATE;
        }
        else
        {
            result = MERGED;
        }
        byte flags = 0;
        if (fromDownLogd)
        {
            flags = PendingRepair.FROM_DOWN_LOGD;
            if (!graceExpired(logdId, nowNs))
            {
                flags |= PendingRepair.WAITING;
            }
        }
        repair.add(logdId, offset, flags);
        if (repair.stage == PendingRepair.Stage.WAITING && (flags & PendingRepair.WAITING) == 0)
        {
            makeDue(repair, nowNs);
        }
        return result;
    }

    private boolean graceExpired(final int logdId, final long nowNs)
    {
        final long downForNs = logds.downForNs(logdId, nowNs);
        return downForNs >= 0 && downForNs >= graceNs;
    }

    private void makeDue(final PendingRepair repair, final long notBeforeNs)
    {
        repair.stage = PendingRepair.Stage.DUE;
        repair.notBeforeNs = notBeforeNs;
        due.add(repair);
    }

    /**
     * @return true when {@link #pollDue} would return a repair now.
     */
    boolean hasDue(final long nowNs)
    {
        discardStaleHeads();
        final PendingRepair head = due.peek();
        return head != null && head.notBeforeNs - nowNs <= 0;
    }

    /**
     * Takes the next repair that is due, marking its due replicas as sent (the caller sends a REPAIR listing
     * them and reports the outcome with {@link #onRepaired}, {@link #onStale} or {@link #onFailed}).
     *
     * @return the repair, or null when none is due.
     */
    PendingRepair pollDue(final long nowNs)
    {
        while (hasDue(nowNs))
        {
            final PendingRepair repair = due.poll();
            if (!repair.hasDueReplica())
            {
                // Its due replicas were cancelled since it was queued.
                park(repair);
                continue;
            }
            int listed = 0;
            for (int i = 0; i < repair.count && listed < MAX_REPLICAS_PER_REPAIR; i++)
            {
                if (!repair.has(i, PendingRepair.WAITING))
                {
                    repair.flags[i] |= PendingRepair.SENT;
                    listed++;
                }
            }
            repair.stage = PendingRepair.Stage.IN_FLIGHT;
            repair.attempts++;
            inFlight++;
            return repair;
        }
        return null;
    }

    private void discardStaleHeads()
    {
        PendingRepair head;
        while ((head = due.peek()) != null && head.stage != PendingRepair.Stage.DUE)
        {
            due.poll();
        }
    }

    /**
     * The REPAIR succeeded: its replicas are done; the key stays pending if other replicas joined meanwhile.
     */
    void onRepaired(final PendingRepair repair, final long nowNs)
    {
        inFlight--;
        if (repairedAt.size() >= RECENTLY_REPAIRED_MAX)
        {
            repairedAt.clear();
        }
        for (int i = repair.count - 1; i >= 0; i--)
        {
            if (repair.has(i, PendingRepair.SENT))
            {
                repairedAt.put(replica(repair.logdIds[i], repair.offsets[i]), nowNs);
                repair.remove(i);
            }
        }
        repair.attempts = 0;
        requeue(repair, nowNs);
    }

    /**
     * @return true when this replica was repaired within {@link #RECENTLY_REPAIRED_NS} (a report of it now is a
     * stale one; for the event lines only).
     */
    boolean recentlyRepaired(final int logdId, final long offset, final long nowNs)
    {
        final long at = repairedAt.get(replica(logdId, offset));
        return at != Long.MIN_VALUE && nowNs - at < RECENTLY_REPAIRED_NS;
    }

    /**
     * @return true when every replica this repair sends was repaired lately: the REPAIR repeats one already done.
     */
    boolean repeatsRecentRepair(final PendingRepair repair, final long nowNs)
    {
        for (int i = 0; i < repair.count; i++)
        {
            if (repair.has(i, PendingRepair.SENT) && !recentlyRepaired(repair.logdIds[i], repair.offsets[i], nowNs))
            {
                return false;
            }
        }
        return true;
    }

    private static long replica(final int logdId, final long offset)
    {
        return ((long)logdId << 48) | (offset & 0xFFFF_FFFF_FFFFL);
    }

    /**
     * The key changed (or is gone) since the probe: nothing left to do for this version.
     */
    void onStale(final PendingRepair repair)
    {
        inFlight--;
        remove(repair);
    }

    /**
     * The REPAIR failed: retry after a backoff, or abandon after {@link #MAX_ATTEMPTS}.
     *
     * @return false when abandoned.
     */
    boolean onFailed(final PendingRepair repair, final long nowNs)
    {
        inFlight--;
        if (repair.attempts >= MAX_ATTEMPTS)
        {
            abandoned++;
            remove(repair);
            return false;
        }
        for (int i = repair.count - 1; i >= 0; i--)
        {
            repair.flags[i] &= ~PendingRepair.SENT;
            if (repair.has(i, PendingRepair.FROM_DOWN_LOGD) && logds.downForNs(repair.logdIds[i], nowNs) < 0)
            {
                // Its logd is back: the replica is readable again.
                repair.remove(i);
                cancelled++;
            }
        }
        if (repair.count == 0)
        {
            remove(repair);
            return true;
        }
        if (repair.hasDueReplica())
        {
            makeDue(repair, nowNs + backoffNs(repair.attempts));
        }
        else
        {
            repair.stage = PendingRepair.Stage.WAITING;
        }
        return true;
    }

    static long backoffNs(final int attempts)
    {
        final long ms = INITIAL_BACKOFF_MS << Math.min(20, Math.max(0, attempts - 1));
        return TimeUnit.MILLISECONDS.toNanos(Math.min(MAX_BACKOFF_MS, ms));
    }

    private void requeue(final PendingRepair repair, final long nowNs)
    {
        if (repair.count == 0)
        {
            remove(repair);
        }
        else if (repair.hasDueReplica())
        {
            makeDue(repair, nowNs);
        }
        else
        {
            repair.stage = PendingRepair.Stage.WAITING;
        }
    }

    private void park(final PendingRepair repair)
    {
        if (repair.count == 0)
        {
            remove(repair);
        }
        else
        {
            repair.stage = PendingRepair.Stage.WAITING;
        }
    }

    private void remove(final PendingRepair repair)
    {
        repair.stage = PendingRepair.Stage.REMOVED;
        pending.remove(repair);
    }

    /**
     * A logd has now been DOWN for the grace period: its waiting replicas become due.
     */
    void onGraceExpired(final int logdId, final long nowNs)
    {
        for (final PendingRepair repair : pending.values())
        {
            boolean released = false;
            for (int i = 0; i < repair.count; i++)
            {
                if (repair.logdIds[i] == logdId && repair.has(i, PendingRepair.WAITING))
                {
                    repair.flags[i] &= ~PendingRepair.WAITING;
                    released = true;
                }
            }
            if (released && repair.stage == PendingRepair.Stage.WAITING)
            {
                makeDue(repair, nowNs);
            }
        }
    }

    /**
     * A logd is UP again: its replicas that were only unreadable (not bad bytes) are dropped, and keys left
     * with nothing to repair leave the queue.
     *
     * @return replicas dropped.
     */
    int onLogdUp(final int logdId)
    {
        int dropped = 0;
        final Iterator<PendingRepair> it = pending.values().iterator();
        while (it.hasNext())
        {
            final PendingRepair repair = it.next();
            for (int i = repair.count - 1; i >= 0; i--)
            {
                if (repair.logdIds[i] == logdId && repair.has(i, PendingRepair.FROM_DOWN_LOGD) &&
                    !repair.has(i, PendingRepair.SENT))
                {
                    repair.remove(i);
                    dropped++;
                }
            }
            if (repair.count == 0 && repair.stage != PendingRepair.Stage.IN_FLIGHT)
            {
                repair.stage = PendingRepair.Stage.REMOVED;
                it.remove();
            }
        }
        cancelled += dropped;
        return dropped;
    }

    /**
     * @return keys pending (waiting, due or in flight).
     */
    int size()
    {
        return pending.size();
    }

    int inFlight()
    {
        return inFlight;
    }

    int capacity()
    {
        return capacity;
    }

    /**
     * @return new keys refused because the queue was full.
     */
    long dropped()
    {
        return dropped;
    }

    /**
     * @return replicas dropped because their logd came back UP.
     */
    long cancelled()
    {
        return cancelled;
    }

    /**
     * @return keys given up after {@link #MAX_ATTEMPTS} failed REPAIRs.
     */
    long abandoned()
    {
        return abandoned;
    }
}
