package io.metrodb.mapd.store;

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

    public static long sequence(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + SEQUENCE_OFFSET);
    }

    public static int originNode(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + ORIGIN_OFFSET);
    }
}
