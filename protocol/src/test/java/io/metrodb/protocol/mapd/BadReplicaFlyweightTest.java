package io.metrodb.protocol.mapd;

import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BadReplicaFlyweightTest
{
    private static final byte[] KEY = "k:1".getBytes(StandardCharsets.US_ASCII);

    private final BadReplicaFlyweight bad = new BadReplicaFlyweight();

    @Test
    void shouldWriteEveryFieldAndReadItBackThroughBothViews()
    {
        final ByteBuf out = Unpooled.buffer(2).writeShort(-1);
        try
        {
            bad.wrapForAppend(out, KEY.length)
                .logdId(0xFFFE).reason(StatusCodes.CORRUPT_RECORD).offset(1L << 47).version(-2L).versionNode(513)
                .key(KEY)
                .commit();

            assertEquals(2 + ProbeResponse.badReplicaLength(KEY.length), out.writerIndex());
            assertEquals(0xFFFE, ProbeResponse.badLogdId(out, 2));
            assertEquals(StatusCodes.CORRUPT_RECORD, ProbeResponse.badReason(out, 2));
            assertEquals(1L << 47, ProbeResponse.badOffset(out, 2));
            assertEquals(-2L, ProbeResponse.badVersion(out, 2));
            assertEquals(513, ProbeResponse.badVersionNode(out, 2));
            assertEquals(KEY.length, ProbeResponse.badKeyLength(out, 2));

            bad.wrap(out, 2);
            assertEquals(0xFFFE, bad.logdId());
            assertEquals(StatusCodes.CORRUPT_RECORD, bad.reason());
            assertEquals(1L << 47, bad.offset());
            assertEquals(-2L, bad.version());
            assertEquals(513, bad.versionNode());
            assertArrayEquals(KEY, ByteBufUtil.getBytes(out, bad.keyIndex(), bad.keyLength()));
            assertThrows(IllegalArgumentException.class, () -> bad.wrapForAppend(out, 0x1_0000));
        }
        finally
        {
            out.release();
        }
    }
}
