package io.metrodb.mapd;

import io.metrodb.cli.StatCommand;
import io.metrodb.logd.LogdServer;
import io.metrodb.mond.MondConfig;
import io.metrodb.mond.MondServer;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import io.metrodb.server.counters.CountersFileReader;
import io.metrodb.server.counters.CountersLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A logd, a mapd and a mond in-process, read from outside through their counters files as {@code metrodb stat}
 * reads them.
 */
class CountersStatTest
{
    private static final long DEADLINE_MS = 20_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MondServer mond;

    @AfterEach
    void tearDown()
    {
        if (mond != null)
        {
            mond.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldShowTheLiveCountersOfRunningDaemons() throws Exception
    {
        cluster = TestCluster.builder(root).logds(1).start();
        final MapdServer mapd = cluster.startMapd(1);
        final LogdServer logd = cluster.logd(0);
        mond = MondServer.start(new MondConfig(TestCluster.HOST, 0, 0,
            List.of(new InetSocketAddress(TestCluster.HOST, mapd.port())),
            List.of(new InetSocketAddress(TestCluster.HOST, logd.port())), null, 50, 4, 0, 0, 100,
            MondConfig.DEFAULT_REPAIR_GRACE_MS, 1000, 5_000, 0), root.resolve("mond"));

        final List<Path> files = StatCommand.counterFiles(List.of(root));
        assertEquals(List.of(root.resolve("logd0"), root.resolve("mapd"), root.resolve("mond")),
            files.stream().map(Path::getParent).toList(), "one counters file per daemon directory");

        try (CountersFileReader logdFile = open("logd0");
            CountersFileReader mapdFile = open("mapd");
            CountersFileReader mondFile = open("mond");
            MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals("logd", logdFile.kind());
            assertEquals("mapd", mapdFile.kind());
            assertEquals("mond", mondFile.kind());
            assertEquals(0, mapdFile.value("sets", -1));
            final long appendsBefore = logdFile.value("appends", -1);

            assertEquals(StatusCodes.OK, client.set("k", bytes("v")).status());
            assertEquals(StatusCodes.OK, client.get("k").status());

            assertEquals(1, mapdFile.value("sets", -1), "the mapd's SET counter, read from outside");
            assertEquals(1, mapdFile.value("gets", -1));
            assertTrue(mapdFile.value("journal_appends", -1) >= 0, "the journal's counters are in the mapd's file");
            // Published by the data path after a read (mond's heartbeats keep coming) at most once a second.
            Await.until("the SET's latency gauges", DEADLINE_MS, () -> mapdFile.value("latency_set_count", -1) == 1);
            assertTrue(mapdFile.value("latency_set_max_ns", -1) > 0);
            Await.until("the logd's published appends moved", DEADLINE_MS,
                () -> logdFile.value("appends", -1) > appendsBefore);
            Await.until("the logd's force latency gauges", DEADLINE_MS, () -> logdFile.value("force_count", -1) > 0);
            Await.until("mond counts heartbeats", DEADLINE_MS, () -> mondFile.value("heartbeats_sent", -1) > 0);
            Await.until("the logd counts mond's heartbeats", DEADLINE_MS,
                () -> logdFile.value("server_heartbeats", -1) > 0);

            final ByteArrayOutputStream text = new ByteArrayOutputStream();
            StatCommand.print(root.resolve("mapd").resolve(CountersLayout.FILE_NAME), false,
                new PrintStream(text, true, StandardCharsets.UTF_8));
            final String printed = text.toString(StandardCharsets.UTF_8);
            assertTrue(printed.startsWith("# mapd "), printed);
            assertTrue(printed.contains(" running, started "), printed);
            assertTrue(printed.contains("\nsets 1\n"), printed);

            final IllegalStateException failure = new IllegalStateException("disk gone");
            logd.countersFile().onError(failure);
            logd.countersFile().onError(failure);
            final int[] counts = {0};
            assertEquals(1, logdFile.readErrors((count, firstMs, lastMs, trace) -> counts[0] = count));
            assertEquals(2, counts[0], "one distinct error, seen twice");
            assertEquals(2, logdFile.value("errors", -1));

            mond.close();
            mond = null;
            assertTrue(mondFile.isClosed());
            assertFalse(mondFile.isRunning(), "a stopped daemon reads as not running");
            assertTrue(mondFile.value("heartbeats_sent", -1) > 0, "its last values stay");
            assertTrue(mapdFile.isRunning());
        }
    }

    private CountersFileReader open(final String dir)
    {
        return CountersFileReader.open(root.resolve(dir).resolve(CountersLayout.FILE_NAME));
    }
}
