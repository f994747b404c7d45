package io.metrodb.mond;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2LongHashMap;

/**
 * How long each logd has been DOWN, for the repairs: the watched logds by node id, the logd ids met in probes that
 * no watched logd has (DOWN since first met), and the grace period of each DOWN spell, after which its keys are
 * re-replicated. Part of {@link MondAgent}'s duty cycle; its event-loop thread only.
 */
final class LogdGrace implements RepairQueue.LogdStatus
{
    /**
     * Told when a logd's grace period expires, once per DOWN spell.
     */
    interface Listener
    {
        void onGraceExpired(int logdId, long nowNs);
    }

    private static final System.Logger LOG = System.getLogger(LogdGrace.class.getName());

    private final MonitoredNode[] logds;
    private final long graceNs;
    private final Int2ObjectHashMap<MonitoredNode> logdsById = new Int2ObjectHashMap<>();
    /** Logd ids met in probes (or given up by a logd that now has another id) that no watched logd has:
     * treated as DOWN since first met. */
    private final Long2LongHashMap unknownLogdSinceNs = new Long2LongHashMap(Long.MIN_VALUE);
    /** Logd ids whose grace period expired during their current DOWN spell. */
    private final IntHashSet graceExpired = new IntHashSet();

    LogdGrace(final MonitoredNode[] logds, final long graceNs)
    {
        this.logds = logds;
        this.graceNs = graceNs;
    }

    /**
     * @return true while some logd (watched or only met in probes) is DOWN and its grace period has not expired.
     */
    boolean isRunning()
    {
        for (final MonitoredNode logd : logds)
        {
            if (logd.nodeId != 0 && logd.health.isDown() && !graceExpired.contains(logd.nodeId))
            {
                return true;
            }
        }
        if (!unknownLogdSinceNs.isEmpty())
        {
            final Long2LongHashMap.KeyIterator ids = unknownLogdSinceNs.keySet().iterator();
            while (ids.hasNext())
            {
                if (!graceExpired.contains((int)ids.nextValue()))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A watched logd that is not DOWN (any more): a later DOWN spell gets a grace period of its own.
     */
    void onNotDown(final int logdId)
    {
        graceExpired.remove(logdId);
    }

    /**
     * A watched logd took node id {@code id} in place of {@code old} (0: none before): replicas still on the old id
     * count as on a DOWN logd from now.
     */
    void onLogdId(final MonitoredNode logd, final int old, final int id, final long nowNs)
    {
        if (old != 0 && logdsById.get(old) == logd)
        {
            logdsById.remove(old);
            unknownLogdSinceNs.put(old, nowNs);
            LOG.log(System.Logger.Level.WARNING, logd + " was node " + old + ": replicas still on " + old +
                " count as on a DOWN logd from now");
        }
        final MonitoredNode previous = logdsById.put(id, logd);
        if (previous != null && previous != logd)
        {
            LOG.log(System.Logger.Level.ERROR, previous + " and " + logd + " both claim node id " + id);
        }
        unknownLogdSinceNs.remove(id);
    }

    @Override
    public long downForNs(final int logdId, final long nowNs)
    {
        final MonitoredNode logd = logdsById.get(logdId);
        if (logd != null)
        {
            return logd.health.isDown() ? nowNs - logd.health.sinceNs() : -1;
        }
        long sinceNs = unknownLogdSinceNs.get(logdId);
        if (sinceNs == Long.MIN_VALUE)
        {
            LOG.log(System.Logger.Level.WARNING, "replicas on logd " + logdId + ", which no watched logd is: " +
                "counted as DOWN from now");
            sinceNs = nowNs;
            unknownLogdSinceNs.put(logdId, sinceNs);
        }
        return nowNs - sinceNs;
    }

    /**
     * Expires the grace period of every logd DOWN for longer than it, telling {@code listener} once per spell.
     */
    void check(final long nowNs, final Listener listener)
    {
        for (final MonitoredNode logd : logds)
        {
            if (logd.nodeId != 0 && logd.health.isDown() && nowNs - logd.health.sinceNs() >= graceNs)
            {
                expire(logd.nodeId, nowNs, listener);
            }
        }
        if (!unknownLogdSinceNs.isEmpty())
        {
            final Long2LongHashMap.KeyIterator ids = unknownLogdSinceNs.keySet().iterator();
            while (ids.hasNext())
            {
                final int id = (int)ids.nextValue();
                if (nowNs - unknownLogdSinceNs.get(id) >= graceNs)
                {
                    expire(id, nowNs, listener);
                }
            }
        }
    }

    private void expire(final int logdId, final long nowNs, final Listener listener)
    {
        if (graceExpired.add(logdId))
        {
            listener.onGraceExpired(logdId, nowNs);
        }
    }
}
