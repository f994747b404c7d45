package io.metrodb.mapd;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mapd.RepairRequestFlyweight;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A blocking stand-in for mond in tests: HEARTBEAT, CLUSTER_VIEW, PROBE and REPAIR over a real socket, and READs
 * of single replicas straight from a logd.
 */
final class MondClient implements AutoCloseable
{
    private final SocketClient socket;
    private long nextId = 1;

    MondClient(final int port) throws IOException
    {
        socket = SocketClient.connectWithHello(TestCluster.HOST, port, null);
        final ByteBuf hello = socket.lastHello();
        assertEquals(StatusCodes.OK, FrameHeader.status(hello, 0));
        hello.release();
    }

    record Heartbeat(long sendTimeNs, byte role, int state, int nodeId, long data, long viewEpoch)
    {
    }

    record Replica(int logdId, long offset)
    {
    }

    record Bad(int logdId, short reason, long offset, long version, int versionNode, String key)
    {
        Replica replica()
        {
            return new Replica(logdId, offset);
        }
    }

    record Probe(short status, long nextCursor, long checked, List<Bad> bad, String message)
    {
    }

    record Repair(short status, List<Replica> replicas, String message)
    {
    }

    record View(long epoch, Map<Integer, Integer> states)
    {
    }

    /** A reply's status and error message (null when not an error). */
    record Reply(short status, String message)
    {
    }

    Heartbeat heartbeat(final long sendTimeNs, final long epoch) throws IOException
    {
        final long id = nextId++;
        socket.send(out -> HeartbeatRequest.encode(out, id, sendTimeNs, epoch));
        final ByteBuf frame = read(id);
        try
        {
            assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
            return new Heartbeat(HeartbeatResponse.sendTimeNs(frame, 0), HeartbeatResponse.role(frame, 0),
                HeartbeatResponse.state(frame, 0), HeartbeatResponse.nodeId(frame, 0),
                HeartbeatResponse.dataBytes(frame, 0), HeartbeatResponse.viewEpoch(frame, 0));
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * Pushes a view listing logds only.
     *
     * @param logdStates logd node id -> {@link ClusterView#NODE_UP} / {@code NODE_SUSPECT} / {@code NODE_DOWN}.
     */
    Reply pushView(final long epoch, final Map<Integer, Integer> logdStates) throws IOException
    {
        final long id = nextId++;
        socket.send(out ->
        {
            int nodesLength = 0;
            for (int i = 0; i < logdStates.size(); i++)
            {
                nodesLength += ClusterView.nodeLength(TestCluster.HOST.length());
            }
            ClusterView.encodeViewHeader(out, id, false, epoch, logdStates.size() + 1, 0, 0, 0, 0,
                nodesLength + ClusterView.nodeLength(TestCluster.HOST.length()));
            ClusterView.writeNode(out, 1, Roles.MAPD, ClusterView.NODE_DOWN, 7550, 0, 0, 0, TestCluster.HOST);
            logdStates.forEach((logd, state) ->
                ClusterView.writeNode(out, logd, Roles.LOGD, state, 7558, 0, 0, 0, TestCluster.HOST));
        });
        return reply(id);
    }

    View queryView() throws IOException
    {
        final long id = nextId++;
        socket.send(out -> ClusterView.encodeQuery(out, id));
        final ByteBuf frame = read(id);
        try
        {
            assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
            assertTrue(ClusterView.isValidView(frame, 0));
            final Map<Integer, Integer> states = new TreeMap<>();
            int node = ClusterView.firstNodeIndex(0);
            for (int i = 0; i < ClusterView.nodeCount(frame, 0); i++)
            {
                if (ClusterView.nodeRole(frame, node) == Roles.LOGD)
                {
                    states.put(ClusterView.nodeId(frame, node), ClusterView.nodeState(frame, node));
                }
                node = ClusterView.nextNodeIndex(frame, node);
            }
            return new View(ClusterView.epoch(frame, 0), states);
        }
        finally
        {
            frame.release();
        }
    }

    Probe probe(final int mode, final int maxKeys, final long cursor) throws IOException
    {
        final long id = nextId++;
        socket.send(out -> ProbeRequest.encode(out, id, mode, maxKeys, cursor));
        return readProbe(id);
    }

    /**
     * Sends two PROBEs in one write, so the mapd reads the second while the first is in progress.
     */
    Probe[] twoProbes(final int maxKeys) throws IOException
    {
        final long first = nextId++;
        final long second = nextId++;
        socket.send(out ->
        {
            ProbeRequest.encode(out, first, ProbeRequest.MODE_SCAN, maxKeys, 0);
            ProbeRequest.encode(out, second, ProbeRequest.MODE_SCAN, maxKeys, 0);
        });
        final Probe refused = readProbe(second);
        return new Probe[] {readProbe(first), refused};
    }

    private Probe readProbe(final long id) throws IOException
    {
        final ByteBuf frame = read(id);
        try
        {
            final short status = FrameHeader.status(frame, 0);
            if (status != StatusCodes.OK)
            {
                return new Probe(status, 0, 0, List.of(), ErrorPayload.message(frame, 0));
            }
            final List<Bad> bad = new ArrayList<>();
            int at = ProbeResponse.firstBadIndex(0);
            for (int i = 0; i < ProbeResponse.badCount(frame, 0); i++)
            {
                bad.add(new Bad(ProbeResponse.badLogdId(frame, at), ProbeResponse.badReason(frame, at),
                    ProbeResponse.badOffset(frame, at), ProbeResponse.badVersion(frame, at),
                    ProbeResponse.badVersionNode(frame, at), frame.toString(ProbeResponse.badKeyIndex(at),
                    ProbeResponse.badKeyLength(frame, at), StandardCharsets.UTF_8)));
                at = ProbeResponse.nextBadIndex(frame, at);
            }
            return new Probe(status, ProbeResponse.nextCursor(frame, 0), ProbeResponse.checked(frame, 0), bad, null);
        }
        finally
        {
            frame.release();
        }
    }

    Repair repair(final String key, final long version, final int versionNode, final List<Replica> bad)
        throws IOException
    {
        final long id = nextId++;
        final short[] logdIds = new short[bad.size()];
        final long[] offsets = new long[bad.size()];
        for (int i = 0; i < bad.size(); i++)
        {
            logdIds[i] = (short)bad.get(i).logdId();
            offsets[i] = bad.get(i).offset();
        }
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        socket.send(out -> new RepairRequestFlyweight().wrapForAppend(out, id, keyBytes.length, bad.size())
            .version(version).versionNode(versionNode).key(keyBytes).badReplicas(bad.size(), logdIds, offsets)
            .commit());
        final ByteBuf frame = read(id);
        try
        {
            final short status = FrameHeader.status(frame, 0);
            if (status != StatusCodes.OK)
            {
                return new Repair(status, List.of(), StatusCodes.isError(status) ? ErrorPayload.message(frame, 0) : null);
            }
            final List<Replica> replicas = new ArrayList<>();
            for (int i = 0; i < RepairResponse.replicaCount(frame, 0); i++)
            {
                replicas.add(new Replica(RepairResponse.replicaLogdId(frame, 0, i),
                    RepairResponse.replicaOffset(frame, 0, i)));
            }
            return new Repair(status, replicas, null);
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * Sends a hand-made frame (the encoder gets the request id) and returns the answer's status.
     */
    Reply raw(final RawFrame encoder) throws IOException
    {
        final long id = nextId++;
        socket.send(out -> encoder.write(out, id));
        return reply(id);
    }

    @FunctionalInterface
    interface RawFrame
    {
        void write(ByteBuf out, long requestId);
    }

    private Reply reply(final long id) throws IOException
    {
        final ByteBuf frame = read(id);
        try
        {
            final short status = FrameHeader.status(frame, 0);
            return new Reply(status, StatusCodes.isError(status) ? ErrorPayload.message(frame, 0) : null);
        }
        finally
        {
            frame.release();
        }
    }

    private ByteBuf read(final long id) throws IOException
    {
        final ByteBuf frame = socket.readFrame();
        assertEquals(id, FrameHeader.requestId(frame, 0));
        assertTrue(FrameValidator.isValidResponse(frame, 0), "well-formed response");
        return frame;
    }

    /**
     * READs one entry straight from a logd.
     *
     * @return the entry's bytes, or null when the logd answered an error.
     */
    static byte[] readFromLogd(final int logdPort, final long offset) throws IOException
    {
        try (SocketClient logd = SocketClient.connectWithHello(TestCluster.HOST, logdPort, null))
        {
            logd.lastHello().release();
            logd.send(out -> OffsetPayload.encodeReadRequest(out, 1, offset));
            final ByteBuf frame = logd.readFrame();
            try
            {
                if (FrameHeader.status(frame, 0) != StatusCodes.OK)
                {
                    return null;
                }
                return ByteBufUtil.getBytes(frame, ReadResponse.entryIndex(0), ReadResponse.entryLength(frame, 0));
            }
            finally
            {
                frame.release();
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
