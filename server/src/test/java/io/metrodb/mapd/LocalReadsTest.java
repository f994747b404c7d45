package io.metrodb.mapd;

import io.metrodb.cli.Main;
import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.server.StoreIdFile;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local reads: a mapd reads replicas on logds of its host from their segment files, verified, with a fallback to
 * the network READ on any doubt. Three real logds and one mapd (RF 2) on loopback with real files.
 */
class LocalReadsTest
{
    private static final long AWAIT_MS = 20_000;
    private static final int[] LOGD_IDS = {100, 101, 102};

    @TempDir
    Path root;

    private TestCluster cluster;
    private final long seed = Long.getLong("localreads.seed", System.nanoTime());

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldServeGetsFromTheSegmentFilesWithoutAReadToTheLogd() throws Exception
    {
        final MapdServer mapd = startWithEveryLogdLocal();
        final Map<String, byte[]> entries = entries(200, "k");
        final byte[] large = new byte[TestCluster.MAX_VALUE];
        new Random(seed).nextBytes(large);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            setAll(client, entries);
            assertEquals(StatusCodes.OK, client.set("large", large).status(), seed());
            final long logdReads = logdReads();

            assertAllReadBack(client, entries);
            assertEquals(entries.size(), counter(mapd, () -> mapd.counters().localReads()), seed());
            assertEquals(0, counter(mapd, () -> mapd.counters().localReadFallbacks()), seed());
            assertEquals(logdReads, logdReads(), "no GET went to a logd " + seed());
            long served = 0;
            for (final int id : LOGD_IDS)
            {
                served += counter(mapd, () -> mapd.localReadsServed(id));
            }
            assertEquals(entries.size(), served, "served by logd add up " + seed());

            // A record larger than the local-read buffer bound is read over the network, as before.
            assertArrayEquals(large, client.get("large").value(), seed());
            assertEquals(logdReads + 1, logdReads(), seed());

            final String info = info(client);
            assertTrue(info.contains("local_reads:auto\n") && info.contains("local_logds:3\n") &&
                info.contains("local_reads_served:" + entries.size() + "\n") &&
                info.contains("local_read_fallbacks:0\n") && info.contains("local_reads_too_large:1\n"), info);
        }
    }

    @Test
    void shouldFallBackAndAnswerTheRightBytesWhenTheLocalRecordIsCorrupt() throws Exception
    {
        final MapdServer mapd = startWithEveryLogdLocal();
        final Map<String, byte[]> entries = entries(20, "c");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            setAll(client, entries);
            final String victim = "c7";
            final GridEntry entry = entry(mapd, victim);
            // Replicas of equal rank, all local, are read in grid order: the first one is the flipped one.
            cluster.flipRecordByte(entry.logdId(0), entry.offset(0), victim.length(), entry.valueLength());
            final long fallbacks = counter(mapd, () -> mapd.counters().localReadFallbacks());
            final long badRecords = counter(mapd, () -> mapd.counters().localReadFallbacksBadRecord.get());
            final long failures = counter(mapd, () -> mapd.counters().replicaReadFailures());
            final long servedByOther = counter(mapd, () -> mapd.localReadsServed(entry.logdId(1)));

            for (int i = 1; i <= 3; i++)
            {
                assertArrayEquals(entries.get(victim), client.get(victim).value(), "GET " + i + " " + seed());
                assertEquals(fallbacks + i, counter(mapd, () -> mapd.counters().localReadFallbacks()), seed());
                assertEquals(badRecords + i, counter(mapd, () -> mapd.counters().localReadFallbacksBadRecord.get()),
                    "a payload that fails its CRC32C " + seed());
                assertEquals(failures + i, counter(mapd, () -> mapd.counters().replicaReadFailures()),
                    "then read over the network, the logd finds the same replica corrupt " + seed());
                assertEquals(servedByOther + i, counter(mapd, () -> mapd.localReadsServed(entry.logdId(1))),
                    "the other replica is read locally " + seed());
            }
            assertAllReadBack(client, entries);
        }
    }

    @Test
    void shouldFallBackOnAShortReadOfATruncatedSegmentFile() throws Exception
    {
        final MapdServer mapd = startWithEveryLogdLocal();
        final Map<String, byte[]> entries = entries(20, "t");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            setAll(client, entries);
            final String victim = "t11";
            final GridEntry entry = entry(mapd, victim);
            final int logdId = entry.logdId(0);
            final long offset = entry.offset(0);
            // Put a truncated copy in the file's place before the mapd opens it: the logd keeps reading its own
            // mapping of the whole file (truncating that in place would fault the in-process logd, not the mapd).
            final Path file = cluster.logdDir(logdId - TestCluster.FIRST_LOGD_ID)
                .resolve(String.format("%010d.seg", offset / TestCluster.SEGMENT_LENGTH));
            final Path copy = file.resolveSibling("truncated.tmp");
            Files.copy(file, copy);
            try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE))
            {
                channel.truncate(offset % TestCluster.SEGMENT_LENGTH + 20);
            }
            Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            final long shortReads = counter(mapd, () -> mapd.counters().localReadFallbacksShort.get());
            final long logdReads = cluster.logdByNodeId(logdId).store().stats().reads();

            assertArrayEquals(entries.get(victim), client.get(victim).value(), seed());
            assertEquals(shortReads + 1, counter(mapd, () -> mapd.counters().localReadFallbacksShort.get()), seed());
            assertEquals(logdReads + 1, cluster.logdByNodeId(logdId).store().stats().reads(),
                "read over the network from the same logd " + seed());
            assertAllReadBack(client, entries);
        }
    }

    @Test
    void shouldNeverReadALogdRestartedOnAnotherDirectoryOrWithAnotherNodeIdLocally() throws Exception
    {
        final MapdServer mapd = startWithEveryLogdLocal();
        final Map<String, byte[]> entries = entries(100, "r");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            setAll(client, entries);
            assertAllReadBack(client, entries);
            // The victim is the logd that served the most reads: which replica a GET reads first follows the order
            // in which the logds acknowledged the write, so on a loaded machine one logd may serve none.
            int victimIndex = 0;
            for (int i = 1; i < LOGD_IDS.length; i++)
            {
                final int candidate = LOGD_IDS[i];
                final int best = LOGD_IDS[victimIndex];
                if (counter(mapd, () -> mapd.localReadsServed(candidate)) >
                    counter(mapd, () -> mapd.localReadsServed(best)))
                {
                    victimIndex = i;
                }
            }
            final int index = victimIndex;
            final int victim = LOGD_IDS[index];
            final long servedBefore = counter(mapd, () -> mapd.localReadsServed(victim));
            assertTrue(servedBefore > 0, "replicas on " + victim + " were read locally " + seed());

            // Same node id, same port, another (empty) directory: verified there, but it holds none of the records.
            cluster.stopLogd(index);
            cluster.startLogd(index, "logd0-elsewhere", victim);
            Await.until("logd " + victim + " verified again", AWAIT_MS,
                () -> mapd.onDataPath(() -> mapd.isLocalLogd(victim)));
            assertAllReadBack(client, entries);
            assertEquals(servedBefore, counter(mapd, () -> mapd.localReadsServed(victim)),
                "the files of the old directory are never read " + seed());
            assertTrue(counter(mapd, () -> mapd.counters().localReadFallbacks()) > 0, seed());

            // Another node id on the same port.
            cluster.stopLogd(index);
            cluster.startLogd(index, "logd0-renamed", 150);
            Await.until("logd 150 verified", AWAIT_MS, () -> mapd.onDataPath(() -> mapd.isLocalLogd(150)));
            assertFalse(mapd.onDataPath(() -> mapd.isLocalLogd(victim)), seed());
            assertAllReadBack(client, entries);
            assertEquals(servedBefore, counter(mapd, () -> mapd.localReadsServed(victim)), seed());
            assertEquals(0, counter(mapd, () -> mapd.localReadsServed(150)), seed());
        }
    }

    @Test
    void shouldNotReadLocallyADirectoryHoldingAnotherStoreId() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        // As if the logd's directory path named another store on this host (a copy, another host's path).
        final Path other = cluster.logdDir(LOGD_IDS[1] - TestCluster.FIRST_LOGD_ID);
        Files.writeString(other.resolve(StoreIdFile.FILE_NAME),
            StoreIdFile.format(cluster.logdByNodeId(LOGD_IDS[1]).storeId() ^ 1) + "\n", StandardCharsets.US_ASCII);
        final MapdServer mapd = cluster.startMapd(2);
        Await.until("two logds verified, one refused", AWAIT_MS, () -> mapd.onDataPath(
            () -> mapd.isLocalLogd(LOGD_IDS[0]) && mapd.isLocalLogd(LOGD_IDS[2])));
        final Map<String, byte[]> entries = entries(60, "s");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            Await.until("the refusal counted", AWAIT_MS, () -> info(client).contains("local_logd_refusals:1\n"),
                () -> info(client));
            setAll(client, entries);
            assertAllReadBack(client, entries);
            assertFalse(mapd.onDataPath(() -> mapd.isLocalLogd(LOGD_IDS[1])), seed());
            assertEquals(0, counter(mapd, () -> mapd.localReadsServed(LOGD_IDS[1])), seed());

            // With the other logd of a key gone, its replica on the refused logd is read, over the network.
            final Map<String, byte[]> onBoth = new LinkedHashMap<>();
            entries.forEach((key, value) ->
            {
                final GridEntry entry = entry(mapd, key);
                if (holds(entry, LOGD_IDS[0]) && holds(entry, LOGD_IDS[1]))
                {
                    onBoth.put(key, value);
                }
            });
            assertFalse(onBoth.isEmpty(), seed());
            cluster.stopLogd(0);
            Await.until("logd " + LOGD_IDS[0] + " dropped", AWAIT_MS,
                () -> !mapd.onDataPath(() -> mapd.isLocalLogd(LOGD_IDS[0])));
            final long logdReads = cluster.logdByNodeId(LOGD_IDS[1]).store().stats().reads();
            assertAllReadBack(client, onBoth);
            assertEquals(logdReads + onBoth.size(), cluster.logdByNodeId(LOGD_IDS[1]).store().stats().reads(),
                "its replicas are read over the network " + seed());
            assertEquals(0, counter(mapd, () -> mapd.localReadsServed(LOGD_IDS[1])), seed());
            assertTrue(info(client).contains("local_logds:1\n"), info(client));
        }
    }

    @Test
    void shouldReadEverythingOverTheNetworkWithLocalReadsOff() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).withLocalReads(false), false);
        final Map<String, byte[]> entries = entries(50, "o");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            setAll(client, entries);
            final long logdReads = logdReads();
            assertAllReadBack(client, entries);
            assertEquals(logdReads + entries.size(), logdReads(), seed());
            assertEquals(0, counter(mapd, () -> mapd.counters().localReads()), seed());
            final String info = info(client);
            assertTrue(info.contains("local_reads:off\n") && info.contains("local_logds:0\n") &&
                info.contains("local_reads_served:0\n"), info);
        }
    }

    @Test
    void shouldTakeLocalReadsAutoOrOffFromTheCommandLineAndSayItInHelp() throws Exception
    {
        assertTrue(parse("--dir", root.toString(), "--logds", "127.0.0.1:1,127.0.0.1:2").toConfig().localReads());
        assertTrue(parse("--dir", root.toString(), "--logds", "127.0.0.1:1,127.0.0.1:2", "--local-reads=auto")
            .toConfig().localReads());
        assertFalse(parse("--dir", root.toString(), "--logds", "127.0.0.1:1,127.0.0.1:2", "--local-reads", "off")
            .toConfig().localReads());
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () ->
            parse("--dir", root.toString(), "--logds", "127.0.0.1:1,127.0.0.1:2", "--local-reads=on").toConfig());
        assertTrue(bad.getMessage().contains("--local-reads must be auto or off"), bad.getMessage());

        final CommandLine commandLine = Main.commandLine();
        final StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(out));
        assertEquals(0, commandLine.execute("mapd", "--help"), out.toString());
        final String help = out.toString();
        assertTrue(help.contains("--local-reads=auto|off") && help.contains("Default: auto"), help);
    }

    private static MapdCommand parse(final String... args)
    {
        final MapdCommand command = new MapdCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private MapdServer startWithEveryLogdLocal() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        Await.until("every logd verified local", AWAIT_MS, () -> mapd.onDataPath(() ->
            mapd.isLocalLogd(LOGD_IDS[0]) && mapd.isLocalLogd(LOGD_IDS[1]) && mapd.isLocalLogd(LOGD_IDS[2])));
        return mapd;
    }

    /**
     * Values of random lengths (0 to 8 KiB) and bytes, from the test's seed.
     */
    private Map<String, byte[]> entries(final int count, final String prefix)
    {
        final Random random = new Random(seed ^ prefix.hashCode());
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] value = new byte[i == 0 ? 0 : random.nextInt(8192)];
            random.nextBytes(value);
            entries.put(prefix + i, value);
        }
        return entries;
    }

    private void setAll(final MapdClient client, final Map<String, byte[]> entries) throws Exception
    {
        client.setAll(Opcodes.SET, entries).forEach((key, reply) ->
            assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message() + " " + seed()));
    }

    private void assertAllReadBack(final MapdClient client, final Map<String, byte[]> entries) throws Exception
    {
        final Map<String, MapdClient.Reply> replies = client.getAll(entries.keySet());
        entries.forEach((key, value) ->
        {
            final MapdClient.Reply reply = replies.get(key);
            assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message() + " " + seed());
            assertArrayEquals(value, reply.value(), key + " " + seed());
        });
    }

    private long logdReads()
    {
        long reads = 0;
        for (final LogdServer logd : cluster.logds())
        {
            reads += logd.store().stats().reads();
        }
        return reads;
    }

    private static boolean holds(final GridEntry entry, final int logdId)
    {
        for (int i = 0; i < entry.replicaCount(); i++)
        {
            if (entry.logdId(i) == logdId)
            {
                return true;
            }
        }
        return false;
    }

    private static GridEntry entry(final MapdServer mapd, final String key)
    {
        final GridEntry entry = new GridEntry();
        assertTrue(GridKeys.get(mapd.grid(), bytes(key), entry), key);
        return entry;
    }

    private static long counter(final MapdServer mapd, final java.util.concurrent.Callable<Long> counter)
        throws Exception
    {
        return mapd.onDataPath(counter);
    }

    private static String info(final MapdClient client) throws Exception
    {
        client.socket().send(out -> Info.encodeRequest(out, 1 << 30, ""));
        final ByteBuf frame = client.socket().readFrame();
        try
        {
            assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
            return Info.text(frame, 0);
        }
        finally
        {
            frame.release();
        }
    }

    private String seed()
    {
        return "(-Dlocalreads.seed=" + seed + ")";
    }
}
