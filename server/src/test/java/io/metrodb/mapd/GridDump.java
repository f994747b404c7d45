package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.DumpRequest;
import io.metrodb.protocol.mapd.DumpResponse;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dumps a mapd's grid over DUMP: key -> (version, node, flags, length, checksum, replicas), for comparing grids.
 */
public final class GridDump
{
    record Item(long version, int versionNode, int flags, int valueLength, int checksum, Set<String> replicas)
    {
    }

    private GridDump()
    {
    }

    /**
     * @return true when both items are the same write of their key (version, version node, tombstone flag, value
     * length and checksum), whatever their replica lists; null only equals null.
     */
    static boolean sameWrite(final Item a, final Item b)
    {
        if (a == null || b == null)
        {
            return a == b;
        }
        return a.version() == b.version() && a.versionNode() == b.versionNode() &&
            (a.flags() & Change.TOMBSTONE) == (b.flags() & Change.TOMBSTONE) && a.valueLength() == b.valueLength() &&
            a.checksum() == b.checksum();
    }

    static TreeMap<String, Item> of(final int port) throws IOException
    {
        final TreeMap<String, Item> items = new TreeMap<>();
        forEachChange(port, (frame, change) ->
        {
            final Set<String> replicas = new TreeSet<>();
            for (int r = 0; r < Change.replicaCount(frame, change); r++)
            {
                replicas.add(Change.replicaLogdId(frame, change, r) + "@" + Change.replicaOffset(frame, change, r));
            }
            items.put(key(frame, change), new Item(Change.version(frame, change), Change.versionNode(frame, change),
                Change.flags(frame, change), Change.valueLength(frame, change), Change.checksum(frame, change),
                replicas));
        });
        return items;
    }

    /** Sees one change of a DUMP page; the frame is released after the page. */
    @FunctionalInterface
    public interface ChangeVisitor
    {
        void visit(ByteBuf frame, int change);
    }

    /**
     * Pages through a mapd's whole grid with DUMP (500 keys a page), handing each change to {@code visitor}.
     */
    public static void forEachChange(final int port, final ChangeVisitor visitor) throws IOException
    {
        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, port, null))
        {
            client.lastHello().release();
            long cursor = 0;
            long id = 1;
            do
            {
                final long from = cursor;
                final long requestId = id++;
                client.send(out -> DumpRequest.encode(out, requestId, from, 500));
                final ByteBuf frame = client.readFrame();
                try
                {
                    assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
                    assertTrue(DumpResponse.isValid(frame, 0));
                    int change = DumpResponse.firstChangeIndex(0);
                    for (int i = 0; i < DumpResponse.count(frame, 0); i++)
                    {
                        visitor.visit(frame, change);
                        change = DumpResponse.nextChangeIndex(frame, change);
                    }
                    cursor = DumpResponse.nextCursor(frame, 0);
                }
                finally
                {
                    frame.release();
                }
            }
            while (cursor != 0);
        }
    }

    /**
     * @return the key of the change at {@code change}, as UTF-8 text.
     */
    public static String key(final ByteBuf frame, final int change)
    {
        return frame.toString(Change.keyIndex(change), Change.keyLength(frame, change), StandardCharsets.UTF_8);
    }
}
