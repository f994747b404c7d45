package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RepairRequestFlyweightTest
{
    private static final byte[] KEY = "victim".getBytes(StandardCharsets.US_ASCII);
    private static final short[] LOGD_IDS = { 7, 9 };
    private static final long[] OFFSETS = { 64L, 1L << 40 };

    private final RepairRequestFlyweight repair = new RepairRequestFlyweight();

    @Test
    void shouldWriteAValidFrameAndReadItBack()
    {
        final ByteBuf out = Unpooled.buffer(8).writeLong(-1L);
        try
        {
            repair.wrapForAppend(out, 42L, KEY.length, 2)
                .version(0x1122_3344_5566_7788L).versionNode(0xABCD).key(KEY).badReplicas(2, LOGD_IDS, OFFSETS)
                .commit();

            assertEquals(8 + repair.encodedLength(), out.writerIndex());
            assertEquals(repair.encodedLength(), FrameHeader.frameLength(out, 8));
            assertEquals(Opcodes.REPAIR, FrameHeader.opcode(out, 8));
            assertEquals(42L, FrameHeader.requestId(out, 8));
            assertEquals(StatusCodes.OK, RepairRequest.validate(out, 8));

            repair.wrap(out, 8);
            assertEquals(0x1122_3344_5566_7788L, repair.version());
            assertEquals(0xABCD, repair.versionNode());
            assertEquals(2, repair.badCount());
            assertArrayEquals(KEY, ByteBufUtil.getBytes(out, repair.keyIndex(), repair.keyLength()));
            assertEquals(9, repair.badLogdId(1));
            assertEquals(1L << 40, repair.badOffset(1));
            assertEquals(RepairRequest.badOffset(out, 8, 0), repair.badOffset(0));
        }
        finally
        {
            out.release();
        }
    }

    @Test
    void shouldRefuseLengthsItWasNotWrappedForAndWriteNothingVisible()
    {
        final ByteBuf out = Unpooled.buffer();
        try
        {
            assertThrows(IllegalArgumentException.class, () -> repair.wrapForAppend(out, 1L, 1, 256));
            repair.wrapForAppend(out, 1L, KEY.length, 1);
            assertThrows(IllegalArgumentException.class, () -> repair.key(new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> repair.badReplicas(2, LOGD_IDS, OFFSETS));
            assertEquals(0, out.writerIndex(), "nothing is visible before commit");
        }
        finally
        {
            out.release();
        }
    }
}
