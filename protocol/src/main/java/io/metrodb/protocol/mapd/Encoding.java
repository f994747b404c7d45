package io.metrodb.protocol.mapd;

import io.netty.buffer.ByteBuf;

/**
 * Encoder-side replica list checks and writing shared by {@link Change}, {@link RepairRequest} and
 * {@link RepairResponse} (key checks: {@link Keys}). An encoder refuses a count its field cannot hold rather than
 * truncate it, which would desynchronise the frame.
 */
final class Encoding
{
    static final int MAX_U8 = 0xFF;

    private Encoding()
    {
    }

    static void checkReplicaCount(final int count)
    {
        if (count < 0 || count > MAX_U8)
        {
            failOnReplicas(count);
        }
    }

    static void checkReplicas(final int count, final short[] logdIds, final long[] offsets)
    {
        if (count < 0 || count > MAX_U8 ||
            (count > 0 && (logdIds == null || offsets == null || logdIds.length < count || offsets.length < count)))
        {
            failOnReplicas(count);
        }
    }

    /**
     * Writes {@code count x { logdId u16, offset u64 }}; call {@link #checkReplicas} first.
     */
    static void writeReplicas(final ByteBuf out, final int count, final short[] logdIds, final long[] offsets)
    {
        for (int i = 0; i < count; i++)
        {
            out.writeShort(logdIds[i]);
            out.writeLong(offsets[i]);
        }
    }

    private static void failOnReplicas(final int count)
    {
        throw new IllegalArgumentException(
            "replica count must be in 0.." + MAX_U8 + " and fit the arrays given, was " + count);
    }
}
