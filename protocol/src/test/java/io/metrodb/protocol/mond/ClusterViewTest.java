package io.metrodb.protocol.mond;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterViewTest
{
    private static final String HOST_A = "10.0.0.1";
    private static final String HOST_B = "logd-2.metrodb.internal";

    private static void encodeView(final ByteBuf out, final boolean isResponse)
    {
        ClusterView.encodeViewHeader(out, 6L, isResponse, 17L, 2, 1000L, 3L, 2L, 1L,
            ClusterView.nodeLength(HOST_A.length()) + ClusterView.nodeLength(HOST_B.length()));
        ClusterView.writeNode(out, 1, Roles.MAPD, ClusterView.NODE_UP, 7400, 1_700_000_000_000L, 250L, 1_000_000L,
            HOST_A);
        ClusterView.writeNode(out, 0xFFFF, Roles.LOGD, ClusterView.NODE_DOWN, 0xFFFF, -1L, 0xFFFFFFFFL,
            Long.MAX_VALUE, HOST_B);
    }

    @Test
    void shouldRoundTripQueryAndAck()
    {
        final ByteBuf query = Unpooled.buffer();
        final ByteBuf ack = Unpooled.buffer();
        try
        {
            ClusterView.encodeQuery(query, 4L);
            FrameFixtures.assertHeader(query, 0, Opcodes.CLUSTER_VIEW, (byte)0, StatusCodes.OK, 4L);
            assertTrue(ClusterView.isQuery(query, 0));
            assertEquals(StatusCodes.OK, ClusterView.validate(query, 0));
            assertFalse(ClusterView.isValidView(query, 0));

            ClusterView.encodeAck(ack, 5L);
            FrameFixtures.assertHeader(ack, 0, Opcodes.CLUSTER_VIEW, FrameFlags.RESPONSE, StatusCodes.OK, 5L);
            assertTrue(ClusterView.isQuery(ack, 0));
        }
        finally
        {
            query.release();
            ack.release();
        }
    }

    @Test
    void shouldRoundTripViewAndWalkNodes()
    {
        for (final boolean isResponse : new boolean[] {false, true})
        {
            final ByteBuf buf = FrameFixtures.prefixedBuffer();
            try
            {
                final int frame = buf.writerIndex();
                encodeView(buf, isResponse);
                FrameFixtures.assertHeader(buf, frame, Opcodes.CLUSTER_VIEW,
                    isResponse ? FrameFlags.RESPONSE : 0, StatusCodes.OK, 6L);
                assertTrue(ClusterView.isValidView(buf, frame));
                assertFalse(ClusterView.isQuery(buf, frame));
                assertEquals(StatusCodes.OK, ClusterView.validate(buf, frame));
                assertEquals(17L, ClusterView.epoch(buf, frame));
                assertEquals(2, ClusterView.nodeCount(buf, frame));
                assertEquals(1000L, ClusterView.keysChecked(buf, frame));
                assertEquals(3L, ClusterView.badReplicas(buf, frame));
                assertEquals(2L, ClusterView.repairsDone(buf, frame));
                assertEquals(1L, ClusterView.repairsPending(buf, frame));

                int at = ClusterView.firstNodeIndex(frame);
                assertEquals(1, ClusterView.nodeId(buf, at));
                assertEquals(Roles.MAPD, ClusterView.nodeRole(buf, at));
                assertEquals(ClusterView.NODE_UP, ClusterView.nodeState(buf, at));
                assertEquals(7400, ClusterView.nodePort(buf, at));
                assertEquals(1_700_000_000_000L, ClusterView.nodeSinceMs(buf, at));
                assertEquals(250L, ClusterView.nodeLastRttUs(buf, at));
                assertEquals(1_000_000L, ClusterView.nodeDataBytes(buf, at));
                assertEquals(HOST_A.length(), ClusterView.nodeHostLength(buf, at));
                assertEquals(HOST_A, ClusterView.nodeHost(buf, at));

                at = ClusterView.nextNodeIndex(buf, at);
                assertEquals(0xFFFF, ClusterView.nodeId(buf, at));
                assertEquals(Roles.LOGD, ClusterView.nodeRole(buf, at));
                assertEquals(ClusterView.NODE_DOWN, ClusterView.nodeState(buf, at));
                assertEquals(0xFFFF, ClusterView.nodePort(buf, at));
                assertEquals(-1L, ClusterView.nodeSinceMs(buf, at));
                assertEquals(0xFFFFFFFFL, ClusterView.nodeLastRttUs(buf, at));
                assertEquals(Long.MAX_VALUE, ClusterView.nodeDataBytes(buf, at));
                assertEquals(HOST_B, ClusterView.nodeHost(buf, at));
                assertEquals(buf.writerIndex(), ClusterView.nextNodeIndex(buf, at));
            }
            finally
            {
                buf.release();
            }
        }
    }

    @Test
    void shouldRejectWrongCountsAndLengths()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            encodeView(buf, false);
            final int countIndex = FrameHeader.payloadIndex(0) + ClusterView.NODE_COUNT_OFFSET;
            buf.setShort(countIndex, 3);
            assertFalse(ClusterView.isValidView(buf, 0));
            assertEquals(StatusCodes.BAD_REQUEST, ClusterView.validate(buf, 0));
            buf.setShort(countIndex, 1);
            assertFalse(ClusterView.isValidView(buf, 0));
            buf.setShort(countIndex, 2);
            final int hostLengthIndex = ClusterView.firstNodeIndex(0) + ClusterView.NODE_HOST_LENGTH_OFFSET;
            buf.setByte(hostLengthIndex, 0xFF);
            assertFalse(ClusterView.isValidView(buf, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRefuseHostOver255Characters()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            assertThrows(IllegalArgumentException.class,
                () -> ClusterView.writeNode(buf, 1, Roles.MAPD, ClusterView.NODE_UP, 1, 0L, 0L, 0L, "h".repeat(256)));
            assertEquals(0, buf.writerIndex());
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
            encodeView(buf, true);
            FrameFixtures.assertRejectsTruncations(buf, b -> ClusterView.isValidView(b, 0));
            FrameFixtures.assertNeverThrows(buf, b -> ClusterView.isValidView(b, 0));
            FrameFixtures.assertNeverThrows(buf, b -> ClusterView.validate(b, 0) == StatusCodes.OK);
        }
        finally
        {
            buf.release();
        }
    }
}
