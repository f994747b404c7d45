package io.metrodb.protocol.mapd;

import io.netty.buffer.ByteBuf;

/**
 * One key change, embedded in REPLICATE, SYNC and DUMP (not a frame). It carries the value's length and
 * checksum but not its bytes: the replica list says where the logds hold the {@link ValueRecord}.
 *
 * <pre>
 *  0          8             10      11       12            16         20          22
 *  +----------+-------------+-------+--------+-------------+----------+-----------+-------------+
 *  | version  | versionNode | flags | replCnt| valueLength | checksum | keyLength | key (bytes) |
 *  | u64      | u16         | u8    | u8     | u32         | u32      | u16       |             |
 *  +----------+-------------+-------+--------+-------------+----------+-----------+-------------+
 *  22 + keyLength
 *  +---------------------------------------------+
 *  | replicaCount x { logdId u16, offset u64 }   |
 *  +---------------------------------------------+
 * </pre>
 *
 * {@code checksum} is the CRC32C of the value; {@code flags} bit {@link #TOMBSTONE} marks a delete, bit
 * {@link #REPAIR} a repair: the same version with a new replica list. Accessors take {@code at}, the index of the change's first byte.
 */
public final class Change
{
    public static final int VERSION_OFFSET = 0;
    public static final int VERSION_NODE_OFFSET = 8;
    public static final int FLAGS_OFFSET = 10;
    public static final int REPLICA_COUNT_OFFSET = 11;
    public static final int VALUE_LENGTH_OFFSET = 12;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int KEY_LENGTH_OFFSET = 20;
    public static final int KEY_OFFSET = 22;
    public static final int FIXED_LENGTH = 22;
    public static final int REPLICA_LENGTH = 10;
    public static final int REPLICA_OFFSET_OFFSET = 2;

    public static final int TOMBSTONE = 0x01;
    /**
     * Same version, new replica list: a mapd re-replicated the key (REPAIR). A receiver holding exactly this
     * (version, version node) replaces its replica list; a newer version still wins over it and an older one
     * is ignored, as for any change.
     */
    public static final int REPAIR = 0x02;

    private Change()
    {
    }

    public static int length(final int keyLength, final int replicaCount)
    {
        return FIXED_LENGTH + keyLength + replicaCount * REPLICA_LENGTH;
    }

    /**
     * @return the length of the change at {@code at}, trusting its fields; see {@link #validLength}.
     */
    public static int length(final ByteBuf buf, final int at)
    {
        return length(keyLength(buf, at), replicaCount(buf, at));
    }

    /**
     * @param end index just past the bytes the change may occupy.
     * @return the change's length when it lies entirely before {@code end}, its key is not empty and its
     * value length is not negative; otherwise -1.
     */
    public static int validLength(final ByteBuf buf, final int at, final int end)
    {
        if (at < 0 || end - at < FIXED_LENGTH)
        {
            return -1;
        }
        final int keyLength = keyLength(buf, at);
        if (keyLength == 0 || valueLength(buf, at) < 0)
        {
            return -1;
        }
        final int length = length(keyLength, replicaCount(buf, at));
        return length <= end - at ? length : -1;
    }

    /**
     * @return true when exactly {@code count} valid changes fill {@code [at, end)}.
     */
    public static boolean isValidRun(final ByteBuf buf, final int at, final int end, final int count)
    {
        int change = at;
        for (int i = 0; i < count; i++)
        {
            final int length = validLength(buf, change, end);
            if (length < 0)
            {
                return false;
            }
            change += length;
        }
        return change == end;
    }

    public static long version(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + VERSION_OFFSET);
    }

    public static int versionNode(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + VERSION_NODE_OFFSET);
    }

    public static int flags(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedByte(at + FLAGS_OFFSET);
    }

    public static boolean isTombstone(final ByteBuf buf, final int at)
    {
        return (buf.getByte(at + FLAGS_OFFSET) & TOMBSTONE) != 0;
    }

    public static boolean isRepair(final ByteBuf buf, final int at)
    {
        return (buf.getByte(at + FLAGS_OFFSET) & REPAIR) != 0;
    }

    public static int replicaCount(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedByte(at + REPLICA_COUNT_OFFSET);
    }

    public static int valueLength(final ByteBuf buf, final int at)
    {
        return buf.getInt(at + VALUE_LENGTH_OFFSET);
    }

    public static int checksum(final ByteBuf buf, final int at)
    {
        return buf.getInt(at + CHECKSUM_OFFSET);
    }

    public static int keyLength(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + KEY_LENGTH_OFFSET);
    }

    public static int keyIndex(final int at)
    {
        return at + KEY_OFFSET;
    }

    /**
     * @return index of replica {@code i}.
     */
    public static int replicaIndex(final ByteBuf buf, final int at, final int i)
    {
        return at + KEY_OFFSET + keyLength(buf, at) + i * REPLICA_LENGTH;
    }

    public static int replicaLogdId(final ByteBuf buf, final int at, final int i)
    {
        return buf.getUnsignedShort(replicaIndex(buf, at, i));
    }

    public static long replicaOffset(final ByteBuf buf, final int at, final int i)
    {
        return buf.getLong(replicaIndex(buf, at, i) + REPLICA_OFFSET_OFFSET);
    }
}
