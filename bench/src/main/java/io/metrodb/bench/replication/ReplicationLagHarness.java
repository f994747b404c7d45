package io.metrodb.bench.replication;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import io.metrodb.bench.support.HistogramFiles;
import io.metrodb.bench.support.LatencyColumns;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.protocol.netty.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Replication lag: time from a SET acknowledged at mapd A (the client's receipt of the OK, T0) to that change
 * being visible in a peer mapd's grid (T1). Three logds and two or three mapds (full mesh, RF 2) run in this
 * process; one client connection sends SETs of unique 16-byte keys to A at a steady rate (paced by the client's
 * event loop: at every tick it sends what is due since the start), and a poller thread reads every peer's grid
 * in-process ({@link KeyGrid#get(org.agrona.DirectBuffer, int, int, GridEntry)}: lock-free, any thread) for each key
 * sent and not yet seen there, from the moment it is sent. The grid is what a GET at the peer consults first, so
 * "in the grid" is "a GET at the peer would find it" (the value itself is already on the logds before A acknowledges).
 * <p>
 * After each pass over the pending keys the poller parks {@code --poll-park-us} (default 50 us; the kernel's timer
 * slack adds to it, the mean pass interval is printed): a key is seen late by up to one pass interval, so both
 * bounds are reported: upper = first seen, lower = the last look that missed it (or the send). With
 * {@code --poll-park-us 0} it spins with {@link Thread#yield()} instead: finer, but on a 2-core box it takes most
 * of a core from the servers it measures. Keys seen at a peer before the client
 * received A's OK are counted and recorded as 0. A key not seen within {@code --give-up-ms} of its send is
 * counted as given up. At the end every peer's version of every key is checked against the version A returned.
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.metrodb.bench.replication.ReplicationLagHarness [--rate 2000] [--warmup 5000] [--sets 20000] [--mapds 3]
 * [--value 100] [--give-up-ms 5000] [--poll-park-us 50] [--max-s 120] [--dir bench/target/replication-bench]
 * [--out bench/target/replication-results]}
 */
@Command(
    name = "ReplicationLagHarness",
    showDefaultValues = true,
    description = "Replication lag: from a SET acknowledged at mapd A to the change in a peer's grid.")
public final class ReplicationLagHarness implements Callable<Integer>
{
    private static final int KEY_LENGTH = 16;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long TICK_NS = TimeUnit.MICROSECONDS.toNanos(250);

    @CommandLine.Mixin
    private HelpOption help;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--rate", description = "SETs per second sent to A, > 0.")
    private int rate = 2_000;

    @Option(names = "--warmup", description = "Unmeasured SETs first, >= 0.")
    private int warmup = 5_000;

    @Option(names = "--sets", description = "Measured SETs, > 0.")
    private int sets = 20_000;

    @Option(names = "--mapds", description = "Mapds: A and 1 or 2 peers (2 or 3).")
    private int mapdCount = 3;

    @Option(names = "--value", description = "Value length, bytes, >= 0.")
    private int valueLength = 100;

    @Option(names = "--give-up-ms", description = "A key not seen at a peer this long after its send is given up.")
    private long giveUpMs = 5_000;

    @Option(names = "--poll-park-us", description = "The poller's park between passes; 0: spin with Thread.yield().")
    private long pollParkUs = 50;

    @Option(names = "--max-s", description = "Time bound of the run, seconds, > 0.")
    private long maxS = 120;

    @Option(names = "--dir", description = "Where the cluster's files are made (and deleted).")
    private String dir = "bench/target/replication-bench";

    @Option(names = "--out", description = "Where the percentile distributions (.hgrm, us) go.")
    private String out = "bench/target/replication-results";

    private long giveUpNs;
    private long pollParkNs;
    private long maxRunNs;

    // Shared between the client loop (writer), the poller and main; see the field comments for who writes.
    private int total;
    private byte[][] keys;
    /** Client loop: when each SET was handed to the connection; published by {@link #sentCount}. */
    private long[] sendNs;
    /** Client loop: when the client received A's answer (0 = not yet, -1 = failed), release store. */
    private AtomicLongArray ackNs;
    /** Client loop: the version A returned, written before {@link #ackNs}. */
    private long[] ackVersion;
    private final AtomicInteger sentCount = new AtomicInteger();
    private volatile boolean pollerStop;
    private volatile boolean pollerDone;
    /** Poller: when each key was first seen in each peer's grid (0 = not yet, -1 = given up). */
    private long[][] visibleNs;
    /** Poller: the last time each key was looked for in each peer's grid and not found (0 = never). */
    private long[][] lastMissNs;
    private long[][] peerVersion;
    private int[][] peerVersionNode;
    private long pollerPasses;
    private long pollerStartNs;
    private long pollerEndNs;

    public static void main(final String[] args)
    {
        HarnessCommand.run(new ReplicationLagHarness(), args);
    }

    @Override
    public Integer call() throws Exception
    {
        HarnessCommand.require(spec, rate >= 1 && warmup >= 0 && sets >= 1 && mapdCount >= 2 && mapdCount <= 3 &&
            valueLength >= 0 && giveUpMs > 0 && pollParkUs >= 0 && maxS > 0,
            "--rate, --sets, --give-up-ms, --max-s must be > 0; --warmup, --value, --poll-park-us >= 0; --mapds 2 or 3");
        giveUpNs = TimeUnit.MILLISECONDS.toNanos(giveUpMs);
        pollParkNs = TimeUnit.MICROSECONDS.toNanos(pollParkUs);
        maxRunNs = TimeUnit.SECONDS.toNanos(maxS);
        run();
        return 0;
    }

    private void run() throws Exception
    {
        total = warmup + sets;
        keys = new byte[total][];
        for (int i = 0; i < total; i++)
        {
            keys[i] = String.format(Locale.ROOT, "lag-%012d", i).getBytes(StandardCharsets.US_ASCII);
        }
        sendNs = new long[total];
        ackNs = new AtomicLongArray(total);
        ackVersion = new long[total];
        final int peers = mapdCount - 1;
        visibleNs = new long[peers][total];
        lastMissNs = new long[peers][total];
        peerVersion = new long[peers][total];
        peerVersionNode = new int[peers][total];
        final byte[] value = new byte[valueLength];
        java.util.Arrays.fill(value, (byte)'v');

        System.out.printf(Locale.ROOT, "replication lag: transport=%s logds=%d mapds=%d (full mesh, rf %d) " +
            "rate=%d/s warmup=%d sets=%d key=%d B value=%d B give-up=%d ms poll=%s max=%d s%n",
            Transports.name(), ReplicationCluster.LOGDS, mapdCount, ReplicationCluster.RF, rate, warmup, sets,
            KEY_LENGTH, valueLength, TimeUnit.NANOSECONDS.toMillis(giveUpNs),
            pollParkNs == 0 ? "yield" : "park " + TimeUnit.NANOSECONDS.toMicros(pollParkNs) + " us",
            TimeUnit.NANOSECONDS.toSeconds(maxRunNs));

        final EventLoopGroup clientGroup = Transports.newEventLoopGroup(1, "bench-client");
        ReplicationCluster cluster = null;
        BenchClient client = null;
        Thread poller = null;
        try
        {
            cluster = new ReplicationCluster(Path.of(dir), mapdCount, total);
            final EventLoop loop = clientGroup.next();
            client = BenchClient.connect(loop, cluster.mapdAddress(0), 4096);

            final KeyGrid[] grids = new KeyGrid[peers];
            for (int p = 0; p < peers; p++)
            {
                grids[p] = cluster.mapd(p + 1).grid();
            }
            poller = new Thread(() -> poll(grids), "lag-poller");
            poller.setDaemon(true);
            poller.start();

            final long runDeadlineNs = System.nanoTime() + maxRunNs;
            final Writer writer = new Writer(client, value);
            final ScheduledFuture<?> ticks =
                loop.scheduleAtFixedRate(writer::tick, 0, TICK_NS, TimeUnit.NANOSECONDS);

            while (sentCount.get() < warmup && System.nanoTime() - runDeadlineNs < 0)
            {
                Thread.sleep(1);
            }
            final CpuAccounting cpu = new CpuAccounting();
            cpu.start();
            final ReplicationCluster c = cluster;
            while (!pollerDone && System.nanoTime() - runDeadlineNs < 0)
            {
                Thread.sleep(1);
            }
            final boolean finished = pollerDone;
            ticks.cancel(false);
            // The poller stays alive (parked) until here, so its CPU time is in the window's accounts.
            final String cpuReport = cpu.stop(c::owner, sets).format();
            pollerStop = true;
            poller.join();
            // Answers still in flight (only if the deadline hit) are not waited for.
            loop.submit(() -> null).get();

            report(finished, cpuReport, cluster);
        }
        finally
        {
            pollerStop = true;
            if (poller != null)
            {
                poller.join(5_000);
            }
            if (client != null)
            {
                client.close();
            }
            if (cluster != null)
            {
                cluster.close();
            }
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Sends the SETs due at each tick, on the client loop; records the answers.
     */
    private final class Writer implements ResponseListener, RequestWriter
    {
        private final BenchClient client;
        private final byte[] value;
        private long startNs;
        private int next;

        Writer(final BenchClient client, final byte[] value)
        {
            this.client = client;
            this.value = value;
        }

        void tick()
        {
            final long nowNs = System.nanoTime();
            if (startNs == 0)
            {
                startNs = nowNs;
            }
            final long due = Math.min(total, (nowNs - startNs) * rate / 1_000_000_000L + 1);
            while (next < due)
            {
                final int i = next;
                final long sentAt = System.nanoTime();
                final long id = client.connection().send(this, this, i);
                if (id < 0)
                {
                    return; // not ready or back-pressured: the next tick catches up
                }
                sendNs[i] = sentAt;
                next = i + 1;
                sentCount.setRelease(next);
            }
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            SetRequest.encode(out, requestId, Opcodes.SET, keys[next], value);
        }

        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            final int i = (int)token;
            final long nowNs = System.nanoTime();
            if (FrameHeader.status(frame, at) == StatusCodes.OK && WriteResponse.isValid(frame, at))
            {
                ackVersion[i] = WriteResponse.version(frame, at);
                ackNs.setRelease(i, nowNs);
            }
            else
            {
                ackNs.setRelease(i, -1);
            }
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            ackNs.setRelease((int)token, -1);
        }
    }

    /**
     * Poller thread: watches every peer's grid for each key sent and not yet seen there.
     */
    private void poll(final KeyGrid[] grids)
    {
        final GridEntry entry = new GridEntry();
        final UnsafeBuffer key = new UnsafeBuffer(new byte[0]);
        final int[] cursor = new int[grids.length];
        long passes = 0;
        pollerStartNs = System.nanoTime();
        while (!pollerStop)
        {
            final int sent = sentCount.getAcquire();
            final long passNs = System.nanoTime();
            boolean done = true;
            for (int p = 0; p < grids.length; p++)
            {
                final long[] visible = visibleNs[p];
                final long[] lastMiss = lastMissNs[p];
                for (int i = cursor[p]; i < sent; i++)
                {
                    if (visible[i] != 0)
                    {
                        continue;
                    }
                    key.wrap(keys[i]);
                    if (grids[p].get(key, 0, keys[i].length, entry))
                    {
                        visible[i] = System.nanoTime();
                        peerVersion[p][i] = entry.version();
                        peerVersionNode[p][i] = entry.versionNode();
                    }
                    else if (passNs - sendNs[i] > giveUpNs)
                    {
                        visible[i] = -1;
                    }
                    else
                    {
                        lastMiss[i] = System.nanoTime();
                    }
                }
                while (cursor[p] < sent && visible[cursor[p]] != 0)
                {
                    cursor[p]++;
                }
                done &= cursor[p] == total;
            }
            passes++;
            if (done)
            {
                break;
            }
            if (pollParkNs > 0)
            {
                LockSupport.parkNanos(pollParkNs);
            }
            else
            {
                Thread.yield();
            }
        }
        pollerPasses = passes;
        pollerEndNs = System.nanoTime();
        pollerDone = true;
        while (!pollerStop)
        {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void report(final boolean finished, final String cpuReport, final ReplicationCluster cluster)
        throws Exception
    {
        final int peers = mapdCount - 1;
        final Histogram rtt = new Histogram(HIGHEST_NS, 3);
        final Histogram[] lag = new Histogram[peers];
        final Histogram[] lagLower = new Histogram[peers];
        final Histogram lagAll = new Histogram(HIGHEST_NS, 3);
        final Histogram sendToVisibleAll = new Histogram(HIGHEST_NS, 3);
        final long[] beforeAck = new long[peers];
        final long[] gaveUp = new long[peers];
        final long[] wrongVersion = new long[peers];
        long failed = 0;
        long unanswered = 0;
        for (int p = 0; p < peers; p++)
        {
            lag[p] = new Histogram(HIGHEST_NS, 3);
            lagLower[p] = new Histogram(HIGHEST_NS, 3);
        }
        final int sent = sentCount.get();
        for (int i = warmup; i < sent; i++)
        {
            final long ack = ackNs.get(i);
            if (ack == 0)
            {
                unanswered++;
                continue;
            }
            if (ack < 0)
            {
                failed++;
                continue;
            }
            rtt.recordValue(Math.min(HIGHEST_NS, ack - sendNs[i]));
            long latest = Long.MIN_VALUE;
            boolean all = true;
            for (int p = 0; p < peers; p++)
            {
                final long visible = visibleNs[p][i];
                if (visible <= 0)
                {
                    gaveUp[p]++;
                    all = false;
                    continue;
                }
                if (peerVersion[p][i] != ackVersion[i] || peerVersionNode[p][i] != cluster.mapd(0).nodeId())
                {
                    wrongVersion[p]++;
                }
                final long lagNs = visible - ack;
                if (lagNs < 0)
                {
                    beforeAck[p]++;
                }
                lag[p].recordValue(Math.min(HIGHEST_NS, Math.max(0, lagNs)));
                // The change became visible after the last look that missed it (or after the send).
                final long notBefore = Math.max(sendNs[i], lastMissNs[p][i]);
                lagLower[p].recordValue(Math.min(HIGHEST_NS, Math.max(0, notBefore - ack)));
                latest = Math.max(latest, visible);
            }
            if (all)
            {
                lagAll.recordValue(Math.min(HIGHEST_NS, Math.max(0, latest - ack)));
                sendToVisibleAll.recordValue(Math.min(HIGHEST_NS, latest - sendNs[i]));
            }
        }
        final long firstNs = sendNs[Math.min(warmup, sent - 1)];
        final long lastNs = sendNs[sent - 1];
        final double achievedRate = sent - warmup > 1 ? (sent - warmup - 1) * 1e9 / (lastNs - firstNs) : 0;

        System.out.printf(Locale.ROOT, "%s: %d measured SETs sent at %.0f/s (target %d/s), %d failed, %d unanswered;" +
            " poller: %d passes over all peers' pending keys, one every %.1f us on average%n",
            finished ? "finished" : "DEADLINE HIT", sent - warmup, achievedRate, rate, failed, unanswered, pollerPasses,
            (pollerEndNs - pollerStartNs) / 1e3 / Math.max(1, pollerPasses));
        System.out.print(cpuReport);
        for (int i = 0; i < mapdCount; i++)
        {
            System.out.println("mapd " + (char)('A' + i) + " INFO replication: " + cluster.replicationInfo(i));
        }
        System.out.println();
        System.out.println("| measure (us) | samples | p50 | p99 | p99.9 | max | mean | seen before ack | given up | " +
            "wrong version |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        row("SET round trip at A (send -> OK)", rtt, "-", "-", "-");
        for (int p = 0; p < peers; p++)
        {
            final char peer = (char)('B' + p);
            row("lag A -> " + peer + ", upper bound (OK at client -> first seen in " + peer + "'s grid)", lag[p],
                Long.toString(beforeAck[p]), Long.toString(gaveUp[p]), Long.toString(wrongVersion[p]));
            row("lag A -> " + peer + ", lower bound (OK at client -> last look that missed it)", lagLower[p],
                "-", "-", "-");
        }
        if (peers > 1)
        {
            row("lag A -> all peers (OK -> in every peer's grid)", lagAll, "-", "-", "-");
        }
        row("send at client -> in every peer's grid", sendToVisibleAll, "-", "-", "-");
        System.out.printf(Locale.ROOT, "ratio lag p50 / SET round trip p50: %s; p99: %s%n",
            ratio(lag[0].getValueAtPercentile(50), rtt.getValueAtPercentile(50)),
            ratio(lag[0].getValueAtPercentile(99), rtt.getValueAtPercentile(99)));

        final Path outDir = Path.of(out);
        Files.createDirectories(outDir);
        HistogramFiles.writePercentilesUs(outDir.resolve("lag-set-rtt.hgrm"), rtt);
        for (int p = 0; p < peers; p++)
        {
            final String name = "lag-to-" + (char)('b' + p);
            HistogramFiles.writePercentilesUs(outDir.resolve(name + ".hgrm"), lag[p]);
            HistogramFiles.writePercentilesUs(outDir.resolve(name + "-lower.hgrm"), lagLower[p]);
        }
        System.out.println("percentile distributions (us): " + outDir.toAbsolutePath() + "/lag-*.hgrm");
    }

    private static String ratio(final long a, final long b)
    {
        return b == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", a / (double)b);
    }

    private static void row(final String name, final Histogram h, final String before, final String gaveUp,
        final String wrong)
    {
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", name, h.getTotalCount(),
            LatencyColumns.us(h), before, gaveUp, wrong);
    }
}
