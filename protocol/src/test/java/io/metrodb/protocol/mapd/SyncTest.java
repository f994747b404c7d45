package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncTest
{
    private static final int CHANGE_LENGTH = Change.length(ChangeTest.KEY.length, 3);

    private static void encodeTwoChanges(final ByteBuf out, final boolean more)
    {
        SyncResponse.encodeHeader(out, 4L, more, SyncResponse.MODE_BACKLOG, 2, 100L, 2 * CHANGE_LENGTH);
        ChangeTest.writeSample(out, 100L);
        ChangeTest.writeSample(out, 101L);
    }

    @Test
    void shouldRoundTripRequest()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            SyncRequest.encode(buf, 3L, Long.MAX_VALUE, 0xFFFF);
            FrameFixtures.assertHeader(buf, frame, Opcodes.SYNC, (byte)0, StatusCodes.OK, 3L);
            assertEquals(StatusCodes.OK, SyncRequest.validate(buf, frame));
            assertEquals(Long.MAX_VALUE, SyncRequest.fromSequence(buf, frame));
            assertEquals(0xFFFF, SyncRequest.originNode(buf, frame));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripResponseAndWalkChanges()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            encodeTwoChanges(buf, true);
            FrameFixtures.assertHeader(buf, frame, Opcodes.SYNC, (byte)(FrameFlags.RESPONSE | FrameFlags.MORE),
                StatusCodes.OK, 4L);
            assertTrue(SyncResponse.isValid(buf, frame));
            assertTrue(SyncResponse.hasMore(buf, frame));
            assertEquals(SyncResponse.MODE_BACKLOG, SyncResponse.mode(buf, frame));
            assertEquals(2, SyncResponse.changeCount(buf, frame));
            assertEquals(100L, SyncResponse.sequence(buf, frame));
            int at = SyncResponse.firstChangeIndex(frame);
            for (int i = 0; i < 2; i++)
            {
                ChangeTest.assertSample(buf, at, 100L + i);
                at = SyncResponse.nextChangeIndex(buf, at);
            }
            assertEquals(buf.writerIndex(), at);
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripEmptyLastFrame()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            SyncResponse.encodeHeader(buf, 4L, false, SyncResponse.MODE_SNAPSHOT, 0, 555L, 0);
            FrameFixtures.assertHeader(buf, 0, Opcodes.SYNC, FrameFlags.RESPONSE, StatusCodes.OK, 4L);
            assertTrue(SyncResponse.isValid(buf, 0));
            assertFalse(SyncResponse.hasMore(buf, 0));
            assertEquals(SyncResponse.MODE_SNAPSHOT, SyncResponse.mode(buf, 0));
            assertEquals(555L, SyncResponse.sequence(buf, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectWrongCountModeAndChange()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            encodeTwoChanges(buf, false);
            final int payload = FrameHeader.payloadIndex(0);
            buf.setShort(payload + SyncResponse.CHANGE_COUNT_OFFSET, 3);
            assertFalse(SyncResponse.isValid(buf, 0));
            buf.setShort(payload + SyncResponse.CHANGE_COUNT_OFFSET, 1);
            assertFalse(SyncResponse.isValid(buf, 0));
            buf.setShort(payload + SyncResponse.CHANGE_COUNT_OFFSET, 0xFFFF);
            assertFalse(SyncResponse.isValid(buf, 0));
            buf.setShort(payload + SyncResponse.CHANGE_COUNT_OFFSET, 2);
            buf.setByte(payload + SyncResponse.MODE_OFFSET, 0);
            assertFalse(SyncResponse.isValid(buf, 0));
            buf.setByte(payload + SyncResponse.MODE_OFFSET, SyncResponse.MODE_BACKLOG);
            buf.setShort(SyncResponse.firstChangeIndex(0) + Change.KEY_LENGTH_OFFSET, 0);
            assertFalse(SyncResponse.isValid(buf, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectEveryTruncationWithoutThrowing()
    {
        final ByteBuf request = Unpooled.buffer();
        final ByteBuf response = Unpooled.buffer();
        try
        {
            SyncRequest.encode(request, 1L, 2L, 3);
            FrameFixtures.assertRejectsTruncations(request, b -> SyncRequest.validate(b, 0) == StatusCodes.OK);
            encodeTwoChanges(response, true);
            FrameFixtures.assertRejectsTruncations(response, b -> SyncResponse.isValid(b, 0));
            FrameFixtures.assertNeverThrows(response, b -> SyncResponse.isValid(b, 0));
        }
        finally
        {
            request.release();
            response.release();
        }
    }
}
