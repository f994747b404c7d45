package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.protocol.mapd.BadReplicaFlyweight;
import io.netty.buffer.ByteBuf;
import org.agrona.collections.LongHashSet;

/**
 * Bad replicas that ordinary GETs met, waiting to be handed to mond in the next PROBE answer. Bounded: past
 * {@link #CAPACITY} reports new ones are dropped and counted; a replica already waiting is not queued twice, so
 * a hot key with a bad replica takes one place. Data-path thread only.
 */
final class BadReplicaQueue
{
    static final int CAPACITY = 4096;

    private final int[] logdIds = new int[CAPACITY];
    private final short[] reasons = new short[CAPACITY];
    private final long[] offsets = new long[CAPACITY];
    private final long[] versions = new long[CAPACITY];
    private final int[] versionNodes = new int[CAPACITY];
    private final BadReplicaFlyweight badReplica = new BadReplicaFlyweight();
    private final byte[][] keys = new byte[CAPACITY][];
    private final LongHashSet waiting = new LongHashSet(CAPACITY * 2);
    private int head;
    private int size;
    private long queued;
    private long dropped;

    /**
     * Queues a bad replica (copies the key; a GET meets one rarely).
     *
     * @return false when it was already waiting or the queue is full (then counted as dropped).
     */
    boolean offer(
        final ByteBuf key,
        final int keyIndex,
        final int keyLength,
        final int logdId,
        final long offset,
        final long version,
        final int versionNode,
        final short reason)
    {
        final long replica = GridReplica.pack(logdId, offset & GridReplica.MAX_OFFSET);
        if (waiting.contains(replica))
        {
            return false;
        }
        if (size == CAPACITY)
        {
            dropped++;
            return false;
        }
        final int slot = (head + size) % CAPACITY;
        logdIds[slot] = logdId;
        reasons[slot] = reason;
        offsets[slot] = offset;
        versions[slot] = version;
        versionNodes[slot] = versionNode;
        final byte[] bytes = new byte[keyLength];
        key.getBytes(keyIndex, bytes);
        keys[slot] = bytes;
        waiting.add(replica);
        size++;
        queued++;
        return true;
    }

    /**
     * Moves waiting reports into a PROBE answer's bad replicas, oldest first, while the answer stays below the
     * given limits.
     *
     * @param out      where the bad replicas are written.
     * @param maxCount most reports to move.
     * @param maxBytes stop once {@code out} holds this many readable bytes.
     * @return reports moved.
     */
    int drainTo(final ByteBuf out, final int maxCount, final int maxBytes)
    {
        int moved = 0;
        while (size > 0 && moved < maxCount && out.readableBytes() < maxBytes)
        {
            final int slot = head;
            badReplica.wrapForAppend(out, keys[slot].length)
                .logdId(logdIds[slot]).reason(reasons[slot]).offset(offsets[slot])
                .version(versions[slot]).versionNode(versionNodes[slot]).key(keys[slot])
                .commit();
            waiting.remove(GridReplica.pack(logdIds[slot], offsets[slot] & GridReplica.MAX_OFFSET));
            keys[slot] = null;
            head = (head + 1) % CAPACITY;
            size--;
            moved++;
        }
        return moved;
    }

    int size()
    {
        return size;
    }

    long queued()
    {
        return queued;
    }

    long dropped()
    {
        return dropped;
    }
}
