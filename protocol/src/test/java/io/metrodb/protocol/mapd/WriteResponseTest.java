package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WriteResponseTest
{
    @Test
    void shouldRoundTripEveryField()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            WriteResponse.encode(buf, Opcodes.SETSAFE, 11L, Long.MIN_VALUE, 0xFFFF, 0xFF, 0xFFFE, 3);
            FrameFixtures.assertHeader(buf, frame, Opcodes.SETSAFE, FrameFlags.RESPONSE, StatusCodes.OK, 11L);
            assertTrue(WriteResponse.isValid(buf, frame));
            assertEquals(Long.MIN_VALUE, WriteResponse.version(buf, frame));
            assertEquals(0xFFFF, WriteResponse.versionNode(buf, frame));
            assertEquals(0xFF, WriteResponse.replicas(buf, frame));
            assertEquals(0xFFFE, WriteResponse.peersAcked(buf, frame));
            assertEquals(3, WriteResponse.peersLive(buf, frame));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectEveryTruncationWithoutThrowing()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            WriteResponse.encode(buf, Opcodes.DEL, 1L, 2L, 3, 4, 5, 6);
            FrameFixtures.assertRejectsTruncations(buf, b -> WriteResponse.isValid(b, 0));
            FrameFixtures.assertNeverThrows(buf, b -> WriteResponse.isValid(b, 0));
        }
        finally
        {
            buf.release();
        }
    }
}
