package io.metrodb.mapd;

import io.metrodb.log.RecordHeader;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.GridSnapshot;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.Await;
import io.metrodb.testing.EventLines;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's event lines (issue 18, part 5): each event logs one line with its facts, a steady write load logs
 * nothing per request, and {@code --snapshot-journal-bytes} bounds what a restart replays. The daemons run in this
 * JVM; {@link EventLines} reads what they log.
 */
class MapdEventLinesTest
{
    private static final long AWAIT_MS = 30_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private EventLines events;
    private MapdServer extra;

    @AfterEach
    void stop()
    {
        if (extra != null)
        {
            extra.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
        if (events != null)
        {
            events.close();
        }
    }

    @Test
    void shouldLogJournalReplayOnceAndNothingPerRequest() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        events = EventLines.capture();
        final MapdServer mapd = cluster.startMapd(
            config("mapd").snapshotJournalBytes(0), false);
        assertEquals(1, events.count("mapd 1: journal replayed: 0 entries"), events.dump());

        final int before = events.allRecords();
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            for (int batch = 0; batch < 20; batch++)
            {
                final Map<String, byte[]> entries = entries("steady", batch * 100, 100, 32);
                assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SET, entries)));
                assertEquals(List.of(), MapdClient.failures(client.getAll(entries.keySet())));
            }
            assertEquals(StatusCodes.NOT_FOUND, client.get("absent").status());
        }
        assertEquals(before, events.allRecords(),
            "log lines during 2,000 SETs and 2,000 GETs: " + events.allSince(before));
    }

    @Test
    void shouldSnapshotOnceTheJournalPassesTheSizeSoARestartReplaysAtMostThat() throws Exception
    {
        final long limit = 64 * 1024;
        cluster = TestCluster.builder(root).logds(2).start();
        events = EventLines.capture();
        final MapdServer mapd = cluster.startMapd(
            config("mapd").snapshotJournalBytes(limit), false);
        final int keys = 5_000;
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            for (int from = 0; from < keys; from += 250)
            {
                assertEquals(List.of(), MapdClient.failures(
                    client.setAll(Opcodes.SET, entries("sized", from, 250, 16))));
            }
        }
        final long journal = mapd.journal().tailPosition();
        assertTrue(journal > 4 * limit, "journal of " + journal + " B, more than 4 x " + limit);
        Await.until("a snapshot within " + limit + " B of the journal's tail", AWAIT_MS,
            () -> mapd.journal().tailPosition() - mapd.snapshotPosition() < limit,
            () -> "tail " + mapd.journal().tailPosition() + ", snapshot at " + mapd.snapshotPosition() + "\n" +
                events.dump());
        final int snapshots = events.count("mapd 1: snapshot written (journal grew past --snapshot-journal-bytes");
        assertTrue(snapshots >= 3 && snapshots <= journal / limit + 1,
            snapshots + " snapshots for a journal of " + journal + " B:\n" + events.dump());
        assertTrue(Files.exists(root.resolve("mapd").resolve(GridSnapshot.FILE_NAME)), "snapshot.bin written");

        // A crash now: restart from a copy of the directory as it is (no snapshot at a clean stop).
        final Path copy = root.resolve("mapd-copy");
        final long tail = mapd.journal().tailPosition();
        copyTree(root.resolve("mapd"), copy, tail);
        cluster.mapd().close();
        cluster.forgetMapd();
        extra = MapdServer.start(config("mapd-copy").snapshotJournalBytes(limit));
        final MapdServer.Recovery recovery = extra.recovery();
        assertTrue(recovery.journalBytes() < limit, "replayed " + recovery + " of a " + tail + " B journal");
        assertTrue(recovery.snapshotEntries() > 0, "restarted from a snapshot: " + recovery);
        assertEquals(keys, extra.grid().liveKeys(), "every key back after " + recovery);
        assertEquals(1, events.count("mapd 1: journal replayed: " + recovery.journalEntries() + " entries",
            recovery.journalBytes() + " B from position " + recovery.journalFrom()), events.dump());
    }

    @Test
    void shouldLogALostLogdOnceAndItsReconnectOnce() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final MapdServer mapd = cluster.startMapd(config("mapd"), false);
        events = EventLines.capture();
        final int port = cluster.logdPorts()[1];
        final String logd = "logd " + TestCluster.HOST + ":" + port;
        cluster.stopLogd(1);
        Await.until("the lost link logged", AWAIT_MS, () -> events.count("mapd 1: lost the link to " + logd) > 0,
            events::dump);
        // Down for several reconnect attempts (backoff 50 ms doubling to 500 ms): still one line.
        final LogdPool pool = mapd.node().logds();
        Await.until("reconnect attempts fail", AWAIT_MS,
            () -> mapd.onDataPath(() -> pool.linkLog(pool.connection(1)).failedAttempts()) >= 4);
        cluster.startLogd(1);
        mapd.whenLogdsHealthy(2).get(AWAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        Await.until("the reconnect logged", AWAIT_MS, () -> events.count("mapd 1: reconnected to " + logd) > 0,
            events::dump);
        assertEquals(1, events.count("lost the link to " + logd), events.dump());
        assertEquals(0, events.count(logd + " still unreachable"), events.dump());
        final List<String> reconnected = events.matching("mapd 1: reconnected to " + logd + " (logd " +
            TestCluster.logdId(1) + ") after ");
        assertEquals(1, reconnected.size(), events.dump());
        assertTrue(reconnected.get(0).matches(".* after \\d+\\.\\d s down \\([1-9]\\d* failed attempts\\)"),
            reconnected.get(0));
    }

    @Test
    void shouldLogAPeerLostReconnectedAndCaughtUpOnceEach() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final int[] ports = Ports.unused(2);
        final MapdServer first = MapdServer.start(cluster.peerConfig("peer-a", 21, ports[0], List.of(ports[1]), 1024)
            .localReads(false).peerTimeoutMs(10_000).requestTimeoutMs(30_000));
        extra = first;
        events = EventLines.capture();
        final MapdServer firstB = MapdServer.start(cluster.peerConfig("peer-b", 22, ports[1], List.of(ports[0]),
            1024).localReads(false).peerTimeoutMs(10_000).requestTimeoutMs(30_000));
        MapdServer second = firstB;
        try
        {
            final String peerB = "peer mapd " + TestCluster.HOST + ":" + ports[1];
            Await.until("peers linked", AWAIT_MS, () -> first.onDataPath(first::livePeers) == 1 &&
                firstB.onDataPath(firstB::livePeers) == 1);
            try (MapdClient client = new MapdClient(first.port()))
            {
                assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SET, entries("peer", 0, 150, 8))));
                assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SET, entries("peer", 150, 150, 8))));
            }
            second.close();
            second = null;
            Await.until("the lost peer logged", AWAIT_MS, () -> events.count("mapd 21: lost the link to " + peerB) > 0,
                events::dump);
            try (MapdClient client = new MapdClient(first.port()))
            {
                assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SET, entries("missed", 0, 100, 8))));
                assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SET, entries("missed", 100, 100, 8))));
            }
            second = MapdServer.start(cluster.peerConfig("peer-b", 22, ports[1], List.of(ports[0]), 1024)
                .localReads(false).peerTimeoutMs(10_000).requestTimeoutMs(30_000));
            final MapdServer restarted = second;
            Await.until("the restarted peer caught up", AWAIT_MS, () ->
                events.count("mapd 22: caught up with peer mapd 21") >= 2, events::dump);
            Await.until("the reconnect logged", AWAIT_MS, () -> events.count("mapd 21: reconnected to " + peerB) > 0,
                events::dump);
            assertEquals(1, events.count("mapd 21: lost the link to " + peerB), events.dump());
            assertEquals(1, events.count("mapd 21: reconnected to " + peerB + " (mapd 22) after "), events.dump());
            // Its first start and the restart: one start and one end line each, the restart's with the 200 missed.
            assertEquals(2, events.count("mapd 22: catching up with peer mapd 21 at "), events.dump());
            final List<String> caughtUp = events.matching("mapd 22: caught up with peer mapd 21 at ");
            assertEquals(2, caughtUp.size(), events.dump());
            assertTrue(caughtUp.get(1).contains(": 200 changes from its backlog in "), caughtUp.get(1));
            assertEquals(500, restarted.grid().liveKeys(), "every change after the catch-up");
        }
        finally
        {
            if (second != null)
            {
                second.close();
            }
        }
    }

    @Test
    void shouldLogATornTailTruncatedAtALogdStartWithItsBytesAndPlace() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final MapdServer mapd = cluster.startMapd(config("mapd"), false);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SET, entries("torn", 0, 50, 100))));
        }
        final long tail = cluster.logd(0).store().tailPosition();
        cluster.mapd().close();
        cluster.forgetMapd();
        cluster.stopLogd(0);
        // Half a record header's worth of garbage right at the tail, as a crash in the middle of an append leaves.
        final Path segment = cluster.logdDir(0).resolve(String.format("%010d.seg", tail / TestCluster.SEGMENT_LENGTH));
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7}), tail % TestCluster.SEGMENT_LENGTH);
        }
        assertTrue(RecordHeader.HEADER_LENGTH > 7);
        events = EventLines.capture();
        cluster.startLogd(0);
        final List<String> torn = events.matching("torn tail truncated: 7 B zeroed at offset " +
            tail % TestCluster.SEGMENT_LENGTH + " of segment " + tail / TestCluster.SEGMENT_LENGTH + " (position " +
            tail + ")");
        assertEquals(1, torn.size(), events.dump());
        assertTrue(torn.get(0).startsWith("WARNING logd " + cluster.logdDir(0).toAbsolutePath().normalize()),
            torn.get(0));
        assertEquals(tail, cluster.logd(0).store().tailPosition(), "the tail where it was");
        assertEquals(1, events.count("torn tail"), "nothing else torn: " + events.dump());
    }

    @Test
    void shouldLogACorruptReplicaOnceHoweverOftenItIsRead() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final MapdServer mapd = cluster.startMapd(config("mapd"), false);
        events = EventLines.capture();
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final byte[] value = new byte[40];
            assertEquals(StatusCodes.OK, client.set("bad:key", value).status());
            final long[] replica = mapd.onDataPath(() ->
            {
                final io.metrodb.mapd.grid.GridEntry entry = new io.metrodb.mapd.grid.GridEntry();
                final byte[] key = MapdClient.bytes("bad:key");
                assertTrue(mapd.grid().get(new org.agrona.concurrent.UnsafeBuffer(key), 0, key.length, entry));
                return new long[] {entry.logdId(0), entry.offset(0), entry.logdId(1), entry.offset(1)};
            });
            cluster.flipRecordByte((int)replica[0], replica[1], "bad:key".length(), value.length);
            cluster.flipRecordByte((int)replica[2], replica[3], "bad:key".length(), value.length);
            for (int i = 0; i < 20; i++)
            {
                assertTrue(client.get("bad:key").status() != StatusCodes.OK, "no replica is good");
            }
            for (int r = 0; r < 4; r += 2)
            {
                assertEquals(1, events.count("mapd 1: corrupt replica found by a GET: key bad:key", "replica on logd " +
                    replica[r] + " at offset " + replica[r + 1] + " (CORRUPT_RECORD)"), events.dump());
            }
            assertEquals(2, events.count("corrupt replica"), events.dump());
        }
    }

    /**
     * A lone mapd (node 1) without local reads (their INFO lines come at start-up), with generous timeouts: a
     * loaded 2-core box must not drop a link on its own during a test that counts link events.
     */
    private MapdConfig config(final String dirName)
    {
        return cluster.mapdConfig(dirName, 1, 2).localReads(false).requestTimeoutMs(30_000);
    }

    private static Map<String, byte[]> entries(final String prefix, final int from, final int count, final int size)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = from; i < from + count; i++)
        {
            final byte[] value = new byte[size];
            value[0] = (byte)i;
            entries.put(prefix + ":" + i, value);
        }
        return entries;
    }

    /**
     * Copies a mapd's directory; of the journal's segment files only the bytes below {@code journalTail} (recovery
     * extends a short segment with zeros), so the copy does not write 64 MiB of zeros.
     */
    private static void copyTree(final Path from, final Path to, final long journalTail) throws IOException
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else if (path.getParent().getFileName().toString().equals(GridJournal.DIRECTORY) &&
                    path.getFileName().toString().endsWith(".seg"))
                {
                    final long index = Long.parseLong(path.getFileName().toString().replace(".seg", ""));
                    final long length = Math.min(GridJournal.SEGMENT_LENGTH,
                        Math.max(0, journalTail - index * GridJournal.SEGMENT_LENGTH));
                    try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
                        FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE))
                    {
                        long copied = 0;
                        while (copied < length)
                        {
                            copied += in.transferTo(copied, length - copied, out);
                        }
                    }
                }
                else if (!path.getFileName().toString().equals("counters.dat") &&
                    !path.getFileName().toString().endsWith(".lock"))
                {
                    Files.copy(path, target);
                }
            }
        }
    }
}
