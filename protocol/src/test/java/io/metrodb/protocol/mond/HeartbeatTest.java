package io.metrodb.protocol.mond;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeartbeatTest
{
    @Test
    void shouldRoundTripRequest()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            HeartbeatRequest.encode(buf, 1L, 123_456_789L, 42L);
            FrameFixtures.assertHeader(buf, frame, Opcodes.HEARTBEAT, (byte)0, StatusCodes.OK, 1L);
            assertEquals(StatusCodes.OK, HeartbeatRequest.validate(buf, frame));
            assertEquals(123_456_789L, HeartbeatRequest.sendTimeNs(buf, frame));
            assertEquals(42L, HeartbeatRequest.viewEpoch(buf, frame));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripResponse()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            HeartbeatResponse.encode(
                buf, 2L, -1L, Roles.MAPD, HeartbeatResponse.STATE_CATCHING_UP, 0xFFFF, Long.MAX_VALUE, 43L);
            FrameFixtures.assertHeader(buf, frame, Opcodes.HEARTBEAT, FrameFlags.RESPONSE, StatusCodes.OK, 2L);
            assertTrue(HeartbeatResponse.isValid(buf, frame));
            assertEquals(-1L, HeartbeatResponse.sendTimeNs(buf, frame));
            assertEquals(Roles.MAPD, HeartbeatResponse.role(buf, frame));
            assertEquals(HeartbeatResponse.STATE_CATCHING_UP, HeartbeatResponse.state(buf, frame));
            assertEquals(0xFFFF, HeartbeatResponse.nodeId(buf, frame));
            assertEquals(Long.MAX_VALUE, HeartbeatResponse.dataBytes(buf, frame));
            assertEquals(43L, HeartbeatResponse.viewEpoch(buf, frame));
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
            HeartbeatRequest.encode(request, 1L, 2L, 3L);
            FrameFixtures.assertRejectsTruncations(request, b -> HeartbeatRequest.validate(b, 0) == StatusCodes.OK);
            HeartbeatResponse.encode(response, 1L, 2L, Roles.LOGD, HeartbeatResponse.STATE_SERVING, 4, 5L, 6L);
            FrameFixtures.assertRejectsTruncations(response, b -> HeartbeatResponse.isValid(b, 0));
        }
        finally
        {
            request.release();
            response.release();
        }
    }
}
