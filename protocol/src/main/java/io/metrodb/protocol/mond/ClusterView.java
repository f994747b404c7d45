package io.metrodb.protocol.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * CLUSTER_VIEW: mond's view of every node and of replica health, numbered by {@code epoch}.
 * <ul>
 *   <li>A request with an empty payload ({@link #encodeQuery}) asks mond for the view; the response is OK
 *   with a view payload.</li>
 *   <li>A request with a view payload is mond pushing the view to a mapd; the response is OK with an empty
 *   payload ({@link #encodeAck}).</li>
 * </ul>
 *
 * <pre>
 *  0          8           10     12     16            24            32            40               48
 *  +----------+-----------+------+------+-------------+-------------+-------------+----------------+
 *  | epoch    | nodeCount | rsvd | rsvd | keysChecked | badReplicas | repairsDone | repairsPending |
 *  | u64      | u16       | u16  | u32  | u64         | u64         | u64         | u64            |
 *  +----------+-----------+------+------+-------------+-------------+-------------+----------------+
 *  48
 *  +-------------------------+
 *  | nodeCount x Node        |
 *  +-------------------------+
 *
 *  Node
 *  0        2      3       4      6         7      8         16          20     24          32
 *  +--------+------+-------+------+---------+------+---------+-----------+------+-----------+--------------+
 *  | nodeId | role | state | port | hostLen | rsvd | sinceMs | lastRttUs | rsvd | dataBytes | host (ASCII) |
 *  | u16    | u8   | u8    | u16  | u8      | u8   | u64     | u32       | u32  | u64       |              |
 *  +--------+------+-------+------+---------+------+---------+-----------+------+-----------+--------------+
 * </pre>
 *
 * A node's {@code role} is a {@link Roles} value, {@code sinceMs} the wall-clock time it entered its state
 * and {@code dataBytes} as in {@link HeartbeatResponse}. Node accessors take {@code at}, the index of the
 * node's first byte.
 */
public final class ClusterView
{
    public static final int EPOCH_OFFSET = 0;
    public static final int NODE_COUNT_OFFSET = 8;
    public static final int KEYS_CHECKED_OFFSET = 16;
    public static final int BAD_REPLICAS_OFFSET = 24;
    public static final int REPAIRS_DONE_OFFSET = 32;
    public static final int REPAIRS_PENDING_OFFSET = 40;
    public static final int NODES_OFFSET = 48;

    public static final int NODE_ID_OFFSET = 0;
    public static final int NODE_ROLE_OFFSET = 2;
    public static final int NODE_STATE_OFFSET = 3;
    public static final int NODE_PORT_OFFSET = 4;
    public static final int NODE_HOST_LENGTH_OFFSET = 6;
    public static final int NODE_SINCE_MS_OFFSET = 8;
    public static final int NODE_LAST_RTT_US_OFFSET = 16;
    public static final int NODE_DATA_BYTES_OFFSET = 24;
    public static final int NODE_HOST_OFFSET = 32;
    public static final int MAX_HOST_LENGTH = 0xFF;

    public static final int NODE_UP = 1;
    public static final int NODE_SUSPECT = 2;
    public static final int NODE_DOWN = 3;

    private ClusterView()
    {
    }

    public static void encodeQuery(final ByteBuf out, final long requestId)
    {
        FrameHeader.writeRequest(out, 0, Opcodes.CLUSTER_VIEW, (byte)0, requestId);
    }

    /**
     * Acknowledges a pushed view.
     */
    public static void encodeAck(final ByteBuf out, final long requestId)
    {
        FrameHeader.writeResponse(out, 0, Opcodes.CLUSTER_VIEW, StatusCodes.OK, requestId);
    }

    /**
     * Writes the frame header and fixed fields of a view; the caller then writes {@code nodeCount} nodes with
     * {@link #writeNode} totalling {@code nodesLength} bytes.
     *
     * @param isResponse true to answer a query, false for mond pushing the view.
     */
    public static void encodeViewHeader(
        final ByteBuf out,
        final long requestId,
        final boolean isResponse,
        final long epoch,
        final int nodeCount,
        final long keysChecked,
        final long badReplicas,
        final long repairsDone,
        final long repairsPending,
        final int nodesLength)
    {
        if (isResponse)
        {
            FrameHeader.writeResponse(out, NODES_OFFSET + nodesLength, Opcodes.CLUSTER_VIEW, StatusCodes.OK,
                requestId);
        }
        else
        {
            FrameHeader.writeRequest(out, NODES_OFFSET + nodesLength, Opcodes.CLUSTER_VIEW, (byte)0, requestId);
        }
        out.writeLong(epoch);
        out.writeShort(nodeCount);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(keysChecked);
        out.writeLong(badReplicas);
        out.writeLong(repairsDone);
        out.writeLong(repairsPending);
    }

    public static int nodeLength(final int hostLength)
    {
        return NODE_HOST_OFFSET + hostLength;
    }

    /**
     * @param host ASCII host name or address, at most 255 characters; others are written as '?'.
     */
    public static void writeNode(
        final ByteBuf out,
        final int nodeId,
        final byte role,
        final int state,
        final int port,
        final long sinceMs,
        final long lastRttUs,
        final long dataBytes,
        final CharSequence host)
    {
        final int hostLength = host.length();
        if (hostLength > MAX_HOST_LENGTH)
        {
            failOnHostLength(hostLength);
        }
        out.writeShort(nodeId);
        out.writeByte(role);
        out.writeByte(state);
        out.writeShort(port);
        out.writeByte(hostLength);
        out.writeByte(0);
        out.writeLong(sinceMs);
        out.writeInt((int)lastRttUs);
        out.writeInt(0);
        out.writeLong(dataBytes);
        out.writeCharSequence(host, StandardCharsets.US_ASCII);
    }

    private static void failOnHostLength(final int hostLength)
    {
        throw new IllegalArgumentException("host longer than " + MAX_HOST_LENGTH + " characters: " + hostLength);
    }

    /**
     * @return {@link StatusCodes#OK} for a query or a well-formed pushed view, else
     * {@link StatusCodes#BAD_REQUEST}.
     */
    public static short validate(final ByteBuf buf, final int frame)
    {
        return isQuery(buf, frame) || isValidView(buf, frame) ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    /**
     * @return true when the frame carries no view: a query, or the acknowledgement of a push.
     */
    public static boolean isQuery(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == 0;
    }

    /**
     * @return true when the counted nodes exactly fill the payload.
     */
    public static boolean isValidView(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        if (payloadLength < NODES_OFFSET)
        {
            return false;
        }
        final int end = FrameHeader.payloadIndex(frame) + payloadLength;
        int at = firstNodeIndex(frame);
        for (int i = nodeCount(buf, frame); i > 0; i--)
        {
            if (end - at < NODE_HOST_OFFSET)
            {
                return false;
            }
            final int length = nodeLength(nodeHostLength(buf, at));
            if (end - at < length)
            {
                return false;
            }
            at += length;
        }
        return at == end;
    }

    public static long epoch(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + EPOCH_OFFSET);
    }

    public static int nodeCount(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + NODE_COUNT_OFFSET);
    }

    public static long keysChecked(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + KEYS_CHECKED_OFFSET);
    }

    public static long badReplicas(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + BAD_REPLICAS_OFFSET);
    }

    public static long repairsDone(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + REPAIRS_DONE_OFFSET);
    }

    public static long repairsPending(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + REPAIRS_PENDING_OFFSET);
    }

    /** Index of the first node; step with {@link #nextNodeIndex(ByteBuf, int)}. */
    public static int firstNodeIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + NODES_OFFSET;
    }

    public static int nextNodeIndex(final ByteBuf buf, final int at)
    {
        return at + nodeLength(nodeHostLength(buf, at));
    }

    public static int nodeId(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + NODE_ID_OFFSET);
    }

    public static byte nodeRole(final ByteBuf buf, final int at)
    {
        return buf.getByte(at + NODE_ROLE_OFFSET);
    }

    public static int nodeState(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedByte(at + NODE_STATE_OFFSET);
    }

    public static int nodePort(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + NODE_PORT_OFFSET);
    }

    public static int nodeHostLength(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedByte(at + NODE_HOST_LENGTH_OFFSET);
    }

    public static long nodeSinceMs(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + NODE_SINCE_MS_OFFSET);
    }

    public static long nodeLastRttUs(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedInt(at + NODE_LAST_RTT_US_OFFSET);
    }

    public static long nodeDataBytes(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + NODE_DATA_BYTES_OFFSET);
    }

    public static int nodeHostIndex(final int at)
    {
        return at + NODE_HOST_OFFSET;
    }

    /**
     * @return the host as a new String; for tools and logs, not the hot path.
     */
    public static String nodeHost(final ByteBuf buf, final int at)
    {
        return buf.toString(nodeHostIndex(at), nodeHostLength(buf, at), StandardCharsets.US_ASCII);
    }
}
