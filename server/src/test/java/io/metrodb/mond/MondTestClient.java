package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.testing.SocketClient;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asks a mond (or a mapd) for its CLUSTER_VIEW and INFO over a fresh blocking connection.
 */
final class MondTestClient
{
    static final String HOST = "127.0.0.1";

    /** One node of a view, copied out of its frame. */
    record Node(int id, int role, int state, String host, int port, long sinceMs, long rttUs, long data)
    {
    }

    /** A whole view, copied out of its frame. */
    record View(long epoch, long keysChecked, long badReplicas, long repairsDone, long repairsPending,
        List<Node> nodes)
    {
        Node byPort(final int port)
        {
            for (final Node node : nodes)
            {
                if (node.port() == port)
                {
                    return node;
                }
            }
            return null;
        }

        Node byId(final int id)
        {
            for (final Node node : nodes)
            {
                if (node.id() == id)
                {
                    return node;
                }
            }
            return null;
        }

        int stateOf(final int port)
        {
            final Node node = byPort(port);
            return node == null ? 0 : node.state();
        }
    }

    private MondTestClient()
    {
    }

    /**
     * @return whether the view lists exactly {@code nodes} nodes, every one UP.
     */
    static boolean allUp(final View view, final int nodes)
    {
        return view.nodes().size() == nodes &&
            view.nodes().stream().allMatch(node -> node.state() == ClusterView.NODE_UP);
    }

    static View view(final int port) throws IOException
    {
        try (SocketClient client = SocketClient.connectWithHello(HOST, port, null))
        {
            client.lastHello().release();
            client.send(out -> ClusterView.encodeQuery(out, 1));
            final ByteBuf frame = client.readFrame();
            try
            {
                assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
                assertTrue(FrameValidator.isValidResponse(frame, 0), "a well-formed view");
                final List<Node> nodes = new ArrayList<>();
                if (ClusterView.isQuery(frame, 0))
                {
                    return new View(0, 0, 0, 0, 0, nodes);
                }
                int at = ClusterView.firstNodeIndex(0);
                for (int i = ClusterView.nodeCount(frame, 0); i > 0; i--)
                {
                    nodes.add(new Node(ClusterView.nodeId(frame, at), ClusterView.nodeRole(frame, at),
                        ClusterView.nodeState(frame, at), ClusterView.nodeHost(frame, at),
                        ClusterView.nodePort(frame, at), ClusterView.nodeSinceMs(frame, at),
                        ClusterView.nodeLastRttUs(frame, at), ClusterView.nodeDataBytes(frame, at)));
                    at = ClusterView.nextNodeIndex(frame, at);
                }
                return new View(ClusterView.epoch(frame, 0), ClusterView.keysChecked(frame, 0),
                    ClusterView.badReplicas(frame, 0), ClusterView.repairsDone(frame, 0),
                    ClusterView.repairsPending(frame, 0), nodes);
            }
            finally
            {
                frame.release();
            }
        }
    }

    static Map<String, String> info(final int port) throws IOException
    {
        try (SocketClient client = SocketClient.connectWithHello(HOST, port, null))
        {
            client.lastHello().release();
            client.send(out -> Info.encodeRequest(out, 1, ""));
            final ByteBuf frame = client.readFrame();
            try
            {
                assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
                final Map<String, String> lines = new LinkedHashMap<>();
                for (final String line : Info.text(frame, 0).split("\n"))
                {
                    final int colon = line.indexOf(':');
                    if (colon > 0)
                    {
                        lines.put(line.substring(0, colon), line.substring(colon + 1));
                    }
                }
                return lines;
            }
            finally
            {
                frame.release();
            }
        }
    }

    static long infoLong(final Map<String, String> info, final String name)
    {
        final String value = info.get(name);
        assertTrue(value != null, "INFO has " + name + ": " + info);
        return Long.parseLong(value);
    }
}
