package io.metrodb.protocol.mapd;

import io.metrodb.protocol.ProtocolLimits;
import io.netty.buffer.ByteBuf;

/**
 * Encoder-side checks and the replica list shared by {@link Change}, {@link RepairRequest} and
 * {@link RepairResponse}. An encoder refuses a length its field cannot hold rather than truncate it,
 * which would desynchronise the frame.
 */
final class Encoding
{
    static final int MAX_U8 = 0xFF;

    private Encoding()
    {
    }

    static void checkKeyLength(final int keyLength)
    {
        if (keyLength < 0 || keyLength > ProtocolLimits.MAX_KEY_LENGTH)
        {
            failOnKeyLength(keyLength);
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

    private static void failOnKeyLength(final int keyLength)
    {
        throw new IllegalArgumentException(
            "key length must be in 0.." + ProtocolLimits.MAX_KEY_LENGTH + ", was " + keyLength);
    }

    private static void failOnReplicas(final int count)
    {
        throw new IllegalArgumentException(
            "replica count must be in 0.." + MAX_U8 + " and fit the arrays given, was " + count);
    }
}
