package io.metrodb.bench.replication;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import io.metrodb.bench.support.HistogramFiles;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.protocol.netty.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * SET throughput at mapd A with 0, 1 and 2 peers: the cost of the broadcast. Per case a fresh cluster (three
 * logds, RF 2, and A plus its peers as a full mesh: 1, 2 or 3 mapds) runs in this process; N client connections
 * to A on one client event loop each keep up to D SETs in flight (closed loop: every answer sends the next) of
 * unique 16-byte keys and fixed-size values. After the warm-up, SETs answered OK within the window are counted and
 * their round trips (send to answer, ns) recorded; with D outstanding per connection this is mostly queueing.
 * <p>
 * Per case it also prints where the CPU went (A's data-path thread, the peers' data-path threads, logd threads,
 * the client loop, and what other processes on the box took), how far behind A each peer's grid was when the
 * window closed, INFO's replication lines (push failures, gaps, syncs), and per SET the read/write system calls
 * and context switches of each mapd's data-path thread ({@link TaskCounters}).
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.metrodb.bench.replication.ReplicationThroughputHarness [--peers 0,1,2] [--rounds 1] [--connections 8]
 * [--depth 64] [--warmup-s 3] [--measure-s 10] [--value 100] [--dir bench/target/replication-bench]
 * [--out bench/target/replication-results]}
 */
@Command(
    name = "ReplicationThroughputHarness",
    showDefaultValues = true,
    description = "SET throughput at mapd A with 0, 1 and 2 peers.")
public final class ReplicationThroughputHarness implements Callable<Integer>
{
    private static final int KEY_LENGTH = 16;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long REFILL_INTERVAL_MS = 1;
    private static final long DRAIN_TIMEOUT_S = 15;

    @CommandLine.Mixin
    private HelpOption help;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--peers", split = ",", paramLabel = "N", description = "Peer counts of A to run, each 0..2.")
    private int[] peerCounts = {0, 1, 2};

    @Option(names = "--rounds", description = "Times to run every case, >= 1.")
    private int rounds = 1;

    @Option(names = "--connections", description = "Client connections to A, 1..99.")
    private int connections = 8;

    @Option(names = "--depth", description = "SETs in flight per connection, 1..4096.")
    private int depth = 64;

    @Option(names = "--warmup-s", description = "Warm-up per case, seconds, >= 0.")
    private long warmupS = 3;

    @Option(names = "--measure-s", description = "Measured window per case, seconds, > 0.")
    private long measureS = 10;

    @Option(names = "--value", description = "Value length, bytes, >= 0.")
    private int valueLength = 100;

    @Option(names = "--dir", description = "Where each case's cluster files are made (and deleted).")
    private String dir = "bench/target/replication-bench";

    @Option(names = "--out", description = "Where the percentile distributions (.hgrm, us) go.")
    private String out = "bench/target/replication-results";

    private long warmupNs;
    private long measureNs;

    private final List<String> rows = new ArrayList<>();

    public static void main(final String[] args)
    {
        HarnessCommand.run(new ReplicationThroughputHarness(), args);
    }

    private void validate()
    {
        HarnessCommand.require(spec, Arrays.stream(peerCounts).allMatch(p -> p >= 0 && p <= 2) && rounds >= 1 &&
            connections >= 1 && connections <= 99 && depth >= 1 && depth <= 4096 && warmupS >= 0 && measureS > 0 &&
            valueLength >= 0, "--peers in 0..2, --rounds >= 1, --connections 1..99, --depth 1..4096, " +
            "--measure-s > 0, --warmup-s and --value >= 0");
        warmupNs = TimeUnit.SECONDS.toNanos(warmupS);
        measureNs = TimeUnit.SECONDS.toNanos(measureS);
    }

    @Override
    public Integer call() throws Exception
    {
        validate();
        run();
        return 0;
    }

    private void run() throws Exception
    {
        System.out.printf(Locale.ROOT, "replication throughput: transport=%s logds=%d rf=%d peers=%s rounds=%d " +
            "connections=%d depth=%d key=%d B value=%d B warmup=%d s measure=%d s%n", Transports.name(),
            ReplicationCluster.LOGDS, ReplicationCluster.RF, Arrays.toString(peerCounts), rounds, connections, depth,
            KEY_LENGTH, valueLength, TimeUnit.NANOSECONDS.toSeconds(warmupNs), TimeUnit.NANOSECONDS.toSeconds(measureNs));
        Files.createDirectories(Path.of(out));
        final List<double[]> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++)
        {
            double reference = Double.NaN;
            for (final int peers : peerCounts)
            {
                final double[] result = runCase(round, peers);
                if (peers == 0)
                {
                    reference = result[0];
                }
                final double[] row = new double[result.length + 3];
                row[0] = round;
                row[1] = peers;
                System.arraycopy(result, 0, row, 2, result.length);
                row[row.length - 1] = reference;
                results.add(row);
            }
        }
        System.out.println();
        System.out.println("CPU columns are us of CPU per SET acknowledged in the window: the whole process; A's " +
            "data-path thread; every thread A started (data path + its journal's sync and segment threads); every " +
            "thread the peers started; the three logds' threads.");
        System.out.println("| round | peers | SETs/s at A | ÷ 0 peers | p50 us | p99 us | p99.9 us | process | " +
            "A data path | A all | peers all | logds | other processes, cores |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (final double[] r : results)
        {
            final double ref = Double.isNaN(r[r.length - 1]) ? findReference(results, (int)r[0]) : r[r.length - 1];
            System.out.printf(Locale.ROOT, "| %d | %d | %.0f | %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | " +
                "%.2f | %.2f |%n", (int)r[0], (int)r[1], r[2],
                Double.isNaN(ref) ? "n/a" : String.format(Locale.ROOT, "%.2f", r[2] / ref),
                r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]);
        }
    }

    private static double findReference(final List<double[]> results, final int round)
    {
        for (final double[] r : results)
        {
            if ((int)r[0] == round && (int)r[1] == 0)
            {
                return r[2];
            }
        }
        return Double.NaN;
    }

    /**
     * @return {SETs/s, p50 us, p99 us, p99.9 us, then CPU us/op: process, A's data path, all of A's threads, all of
     * the peers' threads, the logds' threads; then other processes' cores}.
     */
    private double[] runCase(final int round, final int peers) throws Exception
    {
        System.out.printf(Locale.ROOT, "%n=== round %d, %d peer%s (%d mapd%s), load %s%n", round, peers,
            peers == 1 ? "" : "s", peers + 1, peers == 0 ? "" : "s", loadAverage());
        final EventLoopGroup clientGroup = Transports.newEventLoopGroup(1, "bench-client");
        final EventLoop loop = clientGroup.next();
        final List<Stream> streams = new ArrayList<>();
        ReplicationCluster cluster = null;
        try
        {
            final long startNs = System.nanoTime();
            cluster = new ReplicationCluster(Path.of(dir), peers + 1,
                (long)(60_000.0 * TimeUnit.NANOSECONDS.toSeconds(warmupNs + measureNs)));
            System.out.printf(Locale.ROOT, "cluster up in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            final Window window = new Window();
            final byte[] value = new byte[valueLength];
            Arrays.fill(value, (byte)'v');
            for (int c = 0; c < connections; c++)
            {
                streams.add(new Stream(BenchClient.connect(loop, cluster.mapdAddress(0), Integer.highestOneBit(
                    Math.max(1, depth - 1)) << 1), c, depth, value, window));
            }
            final ScheduledFuture<?> refill = loop.scheduleAtFixedRate(() -> streams.forEach(Stream::fill), 0,
                REFILL_INTERVAL_MS, TimeUnit.MILLISECONDS);

            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(warmupNs));
            final CpuAccounting cpu = new CpuAccounting();
            final TaskCounters[] tasks = new TaskCounters[peers + 1];
            for (int i = 0; i <= peers; i++)
            {
                tasks[i] = new TaskCounters(cluster.mapd(i).onDataPath(TaskCounters::currentNativeTid));
            }
            loop.submit(() -> window.open(System.nanoTime())).get();
            cpu.start();
            for (final TaskCounters task : tasks)
            {
                task.start();
            }
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(measureNs));
            loop.submit(() -> window.close(System.nanoTime())).get();
            final ReplicationCluster c = cluster;
            final long aSize = cluster.mapd(0).grid().size();
            final long[] behind = new long[peers];
            for (int p = 0; p < peers; p++)
            {
                behind[p] = aSize - cluster.mapd(p + 1).grid().size();
            }
            final CpuAccounting.Result cpuResult = cpu.stop(c::owner, window.ok);
            final StringBuilder taskReport = new StringBuilder();
            for (int i = 0; i <= peers; i++)
            {
                taskReport.append(ReplicationCluster.mapdName(i)).append(" data-path thread: ")
                    .append(tasks[i].stop(window.ok)).append('\n');
            }
            final String cpuReport = cpuResult.format() + taskReport;
            double cpuPeers = 0;
            for (int p = 1; p <= peers; p++)
            {
                cpuPeers += cpuResult.usPerOp(ReplicationCluster.mapdName(p) + ":");
            }

            loop.submit(() -> streams.forEach(Stream::stop)).get();
            refill.cancel(false);
            final long drainDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT_S);
            while (loop.submit(() -> streams.stream().mapToInt(s -> s.inFlight).sum()).get() > 0 &&
                System.nanoTime() - drainDeadlineNs < 0)
            {
                Thread.sleep(10);
            }
            // How long the peers take to hold every key A holds once the writes stop.
            final long catchUpStartNs = System.nanoTime();
            long catchUpMs = -1;
            final long finalSize = cluster.mapd(0).grid().size();
            while (System.nanoTime() - drainDeadlineNs < 0)
            {
                boolean all = true;
                for (int p = 0; p < peers; p++)
                {
                    all &= cluster.mapd(p + 1).grid().size() >= finalSize;
                }
                if (all)
                {
                    catchUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - catchUpStartNs);
                    break;
                }
                Thread.sleep(1);
            }

            final double seconds = (window.closeNs - window.openNs) / 1e9;
            final double opsPerS = window.ok / seconds;
            final Histogram h = window.latency;
            System.out.printf(Locale.ROOT, "%d SETs OK in %.3f s = %.0f/s; %d errors; round trip p50/p99/p99.9/max = " +
                "%.1f/%.1f/%.1f/%.1f us%n", window.ok, seconds, opsPerS, window.errors, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
            System.out.print(cpuReport);
            if (peers > 0)
            {
                System.out.printf(Locale.ROOT, "keys in A's grid at window close: %d; peers behind by %s keys; all " +
                    "peers held A's %d keys %s after the last answer%n", aSize, Arrays.toString(behind), finalSize,
                    catchUpMs < 0 ? "NOT within the drain timeout" : catchUpMs + " ms");
            }
            for (int i = 0; i <= peers; i++)
            {
                System.out.println("mapd " + (char)('A' + i) + " INFO replication: " + cluster.replicationInfo(i));
            }
            HistogramFiles.writePercentilesUs(Path.of(out).resolve("throughput-r" + round + "-p" + peers + ".hgrm"), h);
            return new double[] {opsPerS, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, cpuResult.processUsPerOp(),
                cpuResult.usPerOp(ReplicationCluster.mapdName(0) + ": mapd-data"),
                cpuResult.usPerOp(ReplicationCluster.mapdName(0) + ":"), cpuPeers, cpuResult.usPerOp("logd:"),
                cpuResult.otherProcessCores()};
        }
        finally
        {
            for (final Stream stream : streams)
            {
                stream.client.close();
            }
            if (cluster != null)
            {
                cluster.close();
            }
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String loadAverage()
    {
        try
        {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (final Exception e)
        {
            return "unknown";
        }
    }

    /**
     * The measurement window, on the client loop.
     */
    private static final class Window
    {
        final Histogram latency = new Histogram(HIGHEST_NS, 3);
        boolean open;
        long openNs;
        long closeNs;
        long ok;
        long errors;

        Void open(final long nowNs)
        {
            open = true;
            openNs = nowNs;
            return null;
        }

        Void close(final long nowNs)
        {
            open = false;
            closeNs = nowNs;
            return null;
        }
    }

    /**
     * One client connection keeping up to {@code depth} SETs in flight, on the client loop.
     */
    private static final class Stream implements RequestWriter, ResponseListener
    {
        private final BenchClient client;
        private final PeerConnection connection;
        private final int depth;
        private final byte[] key = new byte[KEY_LENGTH];
        private final byte[] value;
        private final Window window;
        private final long[] sentAt;
        private final int[] freeSlots;
        private int freeCount;
        private long sequence;
        private boolean stopped;
        int inFlight;

        Stream(final BenchClient client, final int index, final int depth, final byte[] value, final Window window)
        {
            this.client = client;
            this.connection = client.connection();
            this.depth = depth;
            this.value = value;
            this.window = window;
            sentAt = new long[depth];
            freeSlots = new int[depth];
            for (int i = 0; i < depth; i++)
            {
                freeSlots[freeCount++] = depth - 1 - i;
            }
            key[0] = (byte)('0' + index / 10);
            key[1] = (byte)('0' + index % 10);
        }

        void fill()
        {
            while (!stopped && freeCount > 0)
            {
                final int slot = freeSlots[freeCount - 1];
                long n = ++sequence;
                for (int i = KEY_LENGTH - 1; i >= 2; i--)
                {
                    key[i] = (byte)('0' + n % 10);
                    n /= 10;
                }
                final long startNs = System.nanoTime();
                if (connection.send(this, this, slot) < 0)
                {
                    sequence--;
                    return; // back-pressured or not ready: the refill task tries again
                }
                sentAt[slot] = startNs;
                freeCount--;
                inFlight++;
            }
        }

        void stop()
        {
            stopped = true;
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            SetRequest.encode(out, requestId, Opcodes.SET, key, value);
        }

        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            complete((int)token, FrameHeader.status(frame, at) == StatusCodes.OK);
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            complete((int)token, false);
        }

        private void complete(final int slot, final boolean ok)
        {
            final long nowNs = System.nanoTime();
            if (window.open)
            {
                if (ok)
                {
                    window.ok++;
                    window.latency.recordValue(Math.min(HIGHEST_NS, nowNs - sentAt[slot]));
                }
                else
                {
                    window.errors++;
                }
            }
            freeSlots[freeCount++] = slot;
            inFlight--;
            fill();
        }
    }
}
