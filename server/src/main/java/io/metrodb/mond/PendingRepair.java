package io.metrodb.mond;

import java.util.Arrays;

/**
 * One key version with replicas known bad, waiting to be repaired. Identity (for dedupe) is the key bytes,
 * version and version node; the replicas are (logd id, offset) pairs, each with flags saying whether it waits
 * for its logd's grace period and whether it is in the REPAIR in flight.
 */
final class PendingRepair
{
    /** Waits for the grace period of a DOWN logd before it may be repaired. */
    static final byte WAITING = 0x01;
    /** Reported UNAVAILABLE: on a DOWN logd, not known to be bad bytes. */
    static final byte FROM_DOWN_LOGD = 0x02;
    /** Listed in the REPAIR in flight. */
    static final byte SENT = 0x04;

    enum Stage
    {
        /** Every replica waits for a grace period. */
        WAITING,
        /** In the due queue: at least one replica may be repaired once {@link #notBeforeNs} passes. */
        DUE,
        /** A REPAIR for it is in flight. */
        IN_FLIGHT,
        /** Gone from the queue (repaired, stale, cancelled or abandoned). */
        REMOVED
    }

    final byte[] key;
    final long version;
    final int versionNode;
    private final int hash;

    int count;
    int[] logdIds = new int[2];
    long[] offsets = new long[2];
    byte[] flags = new byte[2];

    Stage stage = Stage.WAITING;
    long notBeforeNs;
    long sequence;
    int attempts;
    /** The mapd (index among the configured mapds) that reported it, where its REPAIR goes first. */
    int mapd;

    PendingRepair(final byte[] key, final long version, final int versionNode)
    {
        this.key = key;
        this.version = version;
        this.versionNode = versionNode;
        this.hash = (Arrays.hashCode(key) * 31 + Long.hashCode(version)) * 31 + versionNode;
    }

    /**
     * @return the index of replica (logdId, offset), or -1.
     */
    int indexOf(final int logdId, final long offset)
    {
        for (int i = 0; i < count; i++)
        {
            if (logdIds[i] == logdId && offsets[i] == offset)
            {
                return i;
            }
        }
        return -1;
    }

    void add(final int logdId, final long offset, final byte replicaFlags)
    {
        if (count == logdIds.length)
        {
            logdIds = Arrays.copyOf(logdIds, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
            flags = Arrays.copyOf(flags, count * 2);
        }
        logdIds[count] = logdId;
        offsets[count] = offset;
        flags[count] = replicaFlags;
        count++;
    }

    void remove(final int i)
    {
        final int last = count - 1;
        logdIds[i] = logdIds[last];
        offsets[i] = offsets[last];
        flags[i] = flags[last];
        count = last;
    }

    boolean has(final int i, final byte flag)
    {
        return (flags[i] & flag) != 0;
    }

    /**
     * @return true when some replica not in flight may be repaired now.
     */
    boolean hasDueReplica()
    {
        for (int i = 0; i < count; i++)
        {
            if ((flags[i] & (WAITING | SENT)) == 0)
            {
                return true;
            }
        }
        return false;
    }

    boolean sameIdentity(final byte[] otherKey, final long otherVersion, final int otherVersionNode)
    {
        return version == otherVersion && versionNode == otherVersionNode && Arrays.equals(key, otherKey);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof PendingRepair other && sameIdentity(other.key, other.version, other.versionNode);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }
}
