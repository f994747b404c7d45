package io.metrodb.mapd.store;

import io.metrodb.protocol.mapd.Change;
import io.netty.buffer.ByteBuf;

/**
 * One journal entry: the payload of a REPLICATE request (sequence u64, origin node u16, rsvd u16, change body),
 * so a journal entry and a replicated change are the same bytes.
 */
public final class JournalEntry
{
    public static final int SEQUENCE_OFFSET = 0;
    public static final int ORIGIN_OFFSET = 8;
    public static final int CHANGE_OFFSET = 12;

    private JournalEntry()
    {
    }

    /**
     * Starts an entry at the writer index: sequence, origin and the reserved field; the change body follows, written
     * by a {@link io.metrodb.protocol.mapd.ChangeFlyweight#wrapForAppend} on the same buffer.
     */
    public static void writeHeader(final ByteBuf out, final long sequence, final int originNode)
    {
        out.writeLong(sequence);
        out.writeShort(originNode);
        out.writeShort(0);
    }

    /**
     * Encodes an entry at the writer index, every field positional: for tests and tools; the data path writes
     * {@link #writeHeader} and a reused {@link io.metrodb.protocol.mapd.ChangeFlyweight}.
     */
    public static void write(
        final ByteBuf out,
        final long sequence,
        final int originNode,
        final ByteBuf key,
        final int keyIndex,
        final int keyLength,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final short[] logdIds,
        final long[] offsets)
    {
        writeHeader(out, sequence, originNode);
        Change.write(out, version, versionNode, flags, valueLength, checksum, key, keyIndex, keyLength,
            replicaCount, logdIds, offsets);
    }

    public static long sequence(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + SEQUENCE_OFFSET);
    }

    public static int originNode(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + ORIGIN_OFFSET);
    }
}
