package io.metrodb.mapd;

import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fixtures shared by the tests of what a mapd does for mond ({@link MondServingTest}, {@link MondProbeServingTest},
 * {@link MondRepairServingTest}, and {@link RepairReplicationTest}): a mapd on real logds on loopback, keys written
 * through it, their grid entries and replicas, and replicas corrupted by flipping bytes in the logds' segment files.
 */
abstract class MondServingTestBase
{
    @TempDir
    Path root;

    TestCluster cluster;
    MapdServer mapd;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    MapdServer start() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        // These tests count the logds' READs to see which replicas a GET or PROBE reads: every read over the network.
        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).withLocalReads(false), false);
        return mapd;
    }

    static Map<String, byte[]> entries(final String prefix, final int count)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            entries.put(prefix + i, bytes("value of " + prefix + i + " " + "x".repeat(i % 50)));
        }
        return entries;
    }

    static void writeAll(final int port, final Map<String, byte[]> entries) throws Exception
    {
        try (MapdClient client = new MapdClient(port))
        {
            client.setAll(Opcodes.SET, entries).forEach((key, reply) ->
                assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message()));
        }
    }

    static GridEntry entry(final MapdServer mapd, final String key)
    {
        final GridEntry entry = new GridEntry();
        assertTrue(GridKeys.get(mapd.grid(), bytes(key), entry), key);
        return entry;
    }

    static List<MondClient.Replica> replicas(final GridEntry entry)
    {
        final List<MondClient.Replica> replicas = new ArrayList<>();
        for (int i = 0; i < entry.replicaCount(); i++)
        {
            replicas.add(new MondClient.Replica(entry.logdId(i), entry.offset(i)));
        }
        return replicas;
    }

    void flip(final String key, final GridEntry entry, final int replica)
        throws IOException
    {
        cluster.flipRecordByte(entry.logdId(replica), entry.offset(replica), key.length(), entry.valueLength());
    }

    long totalReads()
    {
        long reads = 0;
        for (final LogdServer logd : cluster.logds())
        {
            reads += logd.store().stats().reads();
        }
        return reads;
    }

    /** Reads the replica straight from its logd and checks it is the key's record at that version. */
    static void assertGoodReplica(final TestCluster cluster, final MondClient.Replica replica, final String key,
        final byte[] value, final long version, final int versionNode) throws Exception
    {
        final byte[] record = MondClient.readFromLogd(cluster.logdByNodeId(replica.logdId()).port(), replica.offset());
        assertNotNull(record, replica + " reads");
        final ByteBuf buf = Unpooled.wrappedBuffer(record);
        assertEquals(StatusCodes.OK, ValueRecord.validate(buf, 0, record.length), replica + " is intact");
        assertEquals(key, buf.toString(ValueRecord.keyIndex(0), ValueRecord.keyLength(buf, 0), StandardCharsets.UTF_8));
        assertEquals(version, ValueRecord.version(buf, 0));
        assertEquals(versionNode, ValueRecord.versionNode(buf, 0));
        final byte[] stored = new byte[ValueRecord.valueLength(buf, 0)];
        buf.getBytes(ValueRecord.valueIndex(buf, 0), stored);
        assertArrayEquals(value, stored, replica + " holds the value");
    }

    static MondClient.Bad only(final List<MondClient.Bad> bad, final String key)
    {
        final List<MondClient.Bad> found = bad.stream().filter(b -> b.key().equals(key)).toList();
        assertEquals(1, found.size(), "one bad replica of " + key + " in " + bad);
        return found.get(0);
    }
}
