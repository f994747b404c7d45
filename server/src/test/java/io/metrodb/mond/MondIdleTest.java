package io.metrodb.mond;

import io.metrodb.logd.LogStats;
import io.metrodb.protocol.testing.Await;
import io.metrodb.server.IdleAwait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle cluster sleeps until there is work (issue 12): mond runs its duty cycle for its heartbeats and probes
 * only, not every 10 ms, and the logds' sync threads sleep. The bounds per 2 s window are behaviour: the 10 ms tick
 * ran 200 cycles, the logds' polling sync threads thousands.
 */
class MondIdleTest
{
    private static final long WINDOW_MS = 2_000;

    @TempDir
    Path root;

    private MondCluster cluster;
    private MondServer mond;

    @AfterEach
    void stop() throws Exception
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
    void shouldRunTheDutyCycleOnlyForHeartbeatsWhenIdleWithoutProbes() throws Exception
    {
        cluster = new MondCluster(root, 3, 3, false);
        final MondConfig base = cluster.mondConfig();
        mond = MondServer.start(new MondConfig(base.host(), 0, 0, base.mapds(), base.logds(), null,
            base.heartbeatIntervalMs(), base.downAfter(), 0, 0, base.repairsPerSec(), base.repairGraceMs(),
            base.maxPendingRepairs(), base.requestTimeoutMs()));
        awaitSettledAllUp();

        final long heartbeatsBefore = info("heartbeats_answered");
        // 250 ms heartbeats: 8 cycles a window.
        final List<LongSupplier> counters = new ArrayList<>();
        counters.add(() -> info("duty_cycles"));
        for (int i = 0; i < 3; i++)
        {
            final LogStats stats = cluster.logd(i).store().stats();
            counters.add(stats::syncCycles);
        }
        IdleAwait.awaitQuiet("duty cycles of an idle mond without probes and of the logds' sync threads",
            WINDOW_MS, 40, 60_000, counters.toArray(new LongSupplier[0]));

        assertTrue(info("heartbeats_answered") >= heartbeatsBefore + 6 * 4,
            "heartbeats kept going: " + mond.info());
        // A loaded machine may delay an answer past an interval (SUSPECT for a moment): every node comes back UP.
        awaitSettledAllUp();
    }

    @Test
    void shouldKeepProbingAtItsRatesWithoutATickWhenIdle() throws Exception
    {
        cluster = new MondCluster(root, 3, 3, false);
        mond = MondServer.start(cluster.mondConfig());
        awaitSettledAllUp();

        // 250 ms heartbeats and two walkers of at most ten PROBEs a second: ~48 cycles a window.
        IdleAwait.awaitQuiet("duty cycles of an idle mond", WINDOW_MS, 120, 60_000, () -> info("duty_cycles"));

        final long probesBefore = info("probes_sent");
        final long passesBefore = info("scrub_passes");
        Await.until("the walkers keep probing", 30_000,
            () -> info("probes_sent") >= probesBefore + 20 && info("scrub_passes") > passesBefore, mond::info);
    }

    private void awaitSettledAllUp() throws Exception
    {
        Await.until("every node UP in a settled view", 30_000,
            () -> info("view_settled") == 1 && MondFailureDetectionTest.allUp(MondTestClient.view(mond.port()), 6),
            mond::info);
    }

    private long info(final String name)
    {
        try
        {
            for (final String line : mond.info().split("\n"))
            {
                if (line.startsWith(name + ":"))
                {
                    return Long.parseLong(line.substring(name.length() + 1));
                }
            }
            throw new AssertionError("INFO has no " + name);
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
