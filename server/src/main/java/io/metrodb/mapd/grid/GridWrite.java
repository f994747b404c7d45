package io.metrodb.mapd.grid;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One change for {@link KeyGrid#apply(GridWrite)} and {@link KeyGrid#applyRepair(GridWrite)}: the key and the
 * entry's fields, filled by fluent setters instead of ten positional arguments. Reusable and not thread-safe: the
 * grid's writer keeps one and refills it for every change; the grid reads it during the call and keeps nothing.
 * <pre>{@code
 * grid.apply(write.key(frame, keyIndex, keyLength).version(version, nodeId).flags(0)
 *     .value(valueLength, checksum).replicas(replicaCount, packedReplicas));
 * }</pre>
 * Every setter must be called for each change (a field not set keeps the previous change's value).
 */
public final class GridWrite
{
    private static final long[] NO_REPLICAS = new long[0];

    private final UnsafeBuffer arrayKey = new UnsafeBuffer(new byte[0]);
    private DirectBuffer keyBuffer = arrayKey;
    private int keyIndex;
    private int keyLength;
    private long version;
    private int versionNode;
    private int flags;
    private int valueLength;
    private int checksum;
    private int replicaCount;
    private long[] replicas = NO_REPLICAS;

    /**
     * The key.
     *
     * @param buffer buffer holding the key; referenced until the next change, not copied.
     * @param index  index of the key in the buffer.
     * @param length key length, 1..65535.
     * @return this.
     */
    public GridWrite key(final DirectBuffer buffer, final int index, final int length)
    {
        keyBuffer = buffer;
        keyIndex = index;
        keyLength = length;
        return this;
    }

    /**
     * The key as a whole array, wrapped in a view this holder reuses.
     *
     * @param key the whole array is the key, 1..65535 bytes; referenced until the next change, not copied.
     * @return this.
     */
    public GridWrite key(final byte[] key)
    {
        arrayKey.wrap(key);
        return key(arrayKey, 0, key.length);
    }

    /**
     * The version of the write: last writer wins on (version, versionNode).
     *
     * @param version     hybrid logical clock of the write, compared unsigned.
     * @param versionNode writer's node id, 0..65535, breaks ties between equal versions.
     * @return this.
     */
    public GridWrite version(final long version, final int versionNode)
    {
        this.version = version;
        this.versionNode = versionNode;
        return this;
    }

    /**
     * @param flags flag bits, 0..255, see {@link GridEntry#TOMBSTONE} and {@link GridEntry#REPAIRED}.
     * @return this.
     */
    public GridWrite flags(final int flags)
    {
        this.flags = flags;
        return this;
    }

    /**
     * @param valueLength value length (u32).
     * @param checksum    CRC32C of the value.
     * @return this.
     */
    public GridWrite value(final int valueLength, final int checksum)
    {
        this.valueLength = valueLength;
        this.checksum = checksum;
        return this;
    }

    /**
     * @param replicaCount replica locations, 0..the grid's maxReplicas.
     * @param replicas     packed locations ({@link GridReplica#pack}) in [0, replicaCount); referenced until the
     *                     next change, not copied.
     * @return this.
     */
    public GridWrite replicas(final int replicaCount, final long[] replicas)
    {
        this.replicaCount = replicaCount;
        this.replicas = replicas;
        return this;
    }

    public DirectBuffer keyBuffer()
    {
        return keyBuffer;
    }

    public int keyIndex()
    {
        return keyIndex;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public long version()
    {
        return version;
    }

    public int versionNode()
    {
        return versionNode;
    }

    public int flags()
    {
        return flags;
    }

    public int valueLength()
    {
        return valueLength;
    }

    public int checksum()
    {
        return checksum;
    }

    public int replicaCount()
    {
        return replicaCount;
    }

    public long[] replicas()
    {
        return replicas;
    }
}
