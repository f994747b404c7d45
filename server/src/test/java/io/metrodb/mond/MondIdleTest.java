package io.metrodb.mond;

import io.metrodb.log.LogStats;
import io.metrodb.mapd.MapdClient;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.testing.OncePerSuite;
import io.metrodb.server.IdleAwait;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle cluster sleeps until there is work (issue 12): mond runs its duty cycle for its heartbeats and probes
 * only, not every 10 ms, and the logds' sync threads sleep. The bounds per 2 s window are behaviour: the 10 ms tick
 * ran 200 cycles, the logds' polling sync threads thousands.
 */
class MondIdleTest
{
    private static final long WINDOW_MS = 2_000;
    /** CPU a blocked thread may use in a window: heartbeats, probes and the JVM's own bookkeeping. */
    private static final long MAX_IDLE_THREAD_CPU_MS = 40;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MondServer mond;

    /** Heavy, and depends on no JDK feature the later passes' other tests do not exercise. */
    @BeforeAll
    static void oncePerSuite()
    {
        OncePerSuite.assume("MondIdleTest");
    }

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
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final MondConfig base = cluster.mondConfig();
        mond = MondServer.start(new MondConfig(base.host(), 0, 0, base.mapds(), base.logds(), null,
            base.heartbeatIntervalMs(), base.downAfter(), 0, 0, base.repairsPerSec(), base.repairGraceMs(),
            base.maxPendingRepairs(), base.requestTimeoutMs(),
            base.scrubPassMinMs()));
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
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        mond = MondServer.start(cluster.mondConfig());
        awaitSettledAllUp();

        // 250 ms heartbeats and two walkers of at most ten PROBEs a second: ~48 cycles a window.
        IdleAwait.awaitQuiet("duty cycles of an idle mond", WINDOW_MS, 120, 60_000, () -> info("duty_cycles"));

        final long probesBefore = info("probes_sent");
        final long passesBefore = info("scrub_passes");
        Await.until("the walkers keep probing", 30_000,
            () -> info("probes_sent") >= probesBefore + 20 && info("scrub_passes") > passesBefore, mond::info);
    }

    /**
     * Every thread the cluster started (logds' I/O, sync and allocator threads, mapds' data path and journal,
     * mond's loop) is blocked when idle: waiting, or inside a native wait (epoll), and uses almost no CPU. A thread
     * that polls (a 100 us park loop) shows TIMED_WAITING in most samples too, so the CPU bound is what tells it
     * apart: such a loop burned ~8% of a core, 160 ms per window; the bound is a quarter of that.
     */
    @Test
    void shouldLeaveEveryDaemonThreadBlockedWhenIdle() throws Exception
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadCpuTimeSupported(), "no per-thread CPU time in this JVM");
        threads.setThreadCpuTimeEnabled(true);
        final Set<Long> before = new HashSet<>();
        for (final long id : threads.getAllThreadIds())
        {
            before.add(id);
        }
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        // mond as a user runs it: the scrub checks the grid, then rests until its next pass is due.
        mond = MondServer.start(cluster.mondConfig().withScrubPassMinMs(MondConfig.DEFAULT_SCRUB_PASS_MIN_MS));
        awaitSettledAllUp();
        try (MapdClient client = new MapdClient(cluster.mapdPorts()[0]))
        {
            for (int i = 0; i < 100; i++)
            {
                assertEquals(StatusCodes.OK, client.set("idle-" + i, new byte[100]).status());
                assertEquals(StatusCodes.OK, client.setSafe("idle-safe-" + i, new byte[100]).status());
            }
        }

        final Map<Long, String> daemonThreads = new HashMap<>();
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (info != null && !before.contains(info.getThreadId()) && isDaemonThread(info.getThreadName()))
            {
                daemonThreads.put(info.getThreadId(), info.getThreadName());
            }
        }
        assertTrue(daemonThreads.values().stream().anyMatch(name -> name.startsWith("logd-sync")),
            "the stores' sync threads are among those watched: " + daemonThreads.values());
        assertTrue(daemonThreads.values().stream().anyMatch(name -> name.startsWith("mapd-data")),
            "the mapds' data paths are among those watched: " + daemonThreads.values());

        final Map<Long, Long> cpuAtStart = new HashMap<>();
        final List<String> busy = new ArrayList<>();
        final long[] windowStartNs = { System.nanoTime() };
        daemonThreads.keySet().forEach(id -> cpuAtStart.put(id, threads.getThreadCpuTime(id)));
        Await.until("a " + WINDOW_MS + " ms window in which every daemon thread is blocked and used at most " +
            MAX_IDLE_THREAD_CPU_MS + " ms of CPU", 60_000, () ->
        {
            if (System.nanoTime() - windowStartNs[0] < TimeUnit.MILLISECONDS.toNanos(WINDOW_MS))
            {
                return false;
            }
            busy.clear();
            for (final Map.Entry<Long, String> thread : daemonThreads.entrySet())
            {
                final long cpuNs = threads.getThreadCpuTime(thread.getKey());
                final ThreadInfo info = threads.getThreadInfo(thread.getKey(), 1);
                if (cpuNs < 0 || info == null)
                {
                    continue;
                }
                final long usedMs = TimeUnit.NANOSECONDS.toMillis(cpuNs - cpuAtStart.get(thread.getKey()));
                cpuAtStart.put(thread.getKey(), cpuNs);
                if (usedMs > MAX_IDLE_THREAD_CPU_MS || !isBlocked(info))
                {
                    busy.add(thread.getValue() + " " + info.getThreadState() + " cpu " + usedMs + " ms" +
                        (info.getStackTrace().length > 0 ? " at " + info.getStackTrace()[0] : ""));
                }
            }
            windowStartNs[0] = System.nanoTime();
            return busy.isEmpty();
        }, () -> "busy in the last window: " + busy);
        assertTrue(info("scrub_rests") > 0, "the scrub checked the grid, then rested: " + mond.info());
        System.out.println(daemonThreads.size() + " daemon threads blocked and quiet: " +
            new TreeSet<>(daemonThreads.values()));
    }

    private static boolean isDaemonThread(final String name)
    {
        return name.startsWith("logd-") || name.startsWith("mapd-") || name.startsWith("mond-");
    }

    /**
     * @return true when the thread waits: parked or in a monitor wait, or in a native call (an event loop's epoll
     * wait, which the JVM reports as RUNNABLE).
     */
    private static boolean isBlocked(final ThreadInfo info)
    {
        final Thread.State state = info.getThreadState();
        if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED)
        {
            return true;
        }
        final StackTraceElement[] stack = info.getStackTrace();
        return state == Thread.State.RUNNABLE && stack.length > 0 && stack[0].isNativeMethod();
    }

    private void awaitSettledAllUp() throws Exception
    {
        Await.until("every node UP in a settled view", 30_000,
            () -> info("view_settled") == 1 && MondTestClient.allUp(MondTestClient.view(mond.port()), 6),
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
