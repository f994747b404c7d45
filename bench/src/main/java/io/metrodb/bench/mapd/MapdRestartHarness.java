package io.metrodb.bench.mapd;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.GridSnapshot;
import io.metrodb.protocol.netty.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Restart time of a mapd holding N keys (RF 2, two in-process logds, files under bench/target):
 * <ol>
 * <li>load N keys (16-byte keys and values) with pipelined SETs over the real protocol;</li>
 * <li>(a) clean stop (final snapshot), then restart: snapshot load;</li>
 * <li>write a tail of T more keys, keep the snapshot of (a), stop, put the old snapshot back and restart:
 * (b) snapshot of N plus a journal tail of T, what a crash after the last snapshot replays;</li>
 * <li>(c) delete the snapshot and restart: journal-only replay of N + T entries, the worst case.</li>
 * </ol>
 * Restart time is {@link MapdServer#start} until it is bound and both logds are connected; recovery is the
 * server's own {@code recovery().millis()}. Every step is bounded; the whole run stops after
 * {@code -Dbudget.seconds} (default 540). The temporary directory is deleted at the end.
 * <p>
 * Run: {@code java -Xmx3g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.metrodb.bench.mapd.MapdRestartHarness [keys [tailKeys]]}
 */
@Command(
    name = "MapdRestartHarness",
    showDefaultValues = true,
    description = "Restart time of a mapd holding N keys: snapshot, snapshot plus journal tail, journal only.")
public final class MapdRestartHarness implements Callable<Integer>
{
    static final long MIN_FREE_DISK_BYTES = 10L << 30;
    static final int VALUE_LENGTH = 16;
    static final int LOAD_CONNECTIONS = 4;
    static final int LOAD_WINDOW = 256;

    @CommandLine.Mixin
    private HelpOption help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KEYS", description = "N, the keys loaded first.")
    private long loadKeys = 10_000_000L;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TAIL_KEYS", description = "T, the keys of the journal tail.")
    private long tailKeys = 1_000_000L;

    private MapdRestartHarness()
    {
    }

    public static void main(final String[] args)
    {
        HarnessCommand.run(new MapdRestartHarness(), args);
    }

    @Override
    public Integer call() throws Exception
    {
        long keys = loadKeys;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("budget.seconds", 540));

        final Path root = BenchCluster.newRoot("mapd-restart-");
        final long freeBytes = Files.getFileStore(root).getUsableSpace();
        if (freeBytes < MIN_FREE_DISK_BYTES && keys > 1_000_000L)
        {
            System.out.printf("only %,d bytes free under %s (< 10 GiB): reducing keys from %,d to 1,000,000%n",
                freeBytes, root, keys);
            keys = 1_000_000L;
        }
        System.out.printf("keys N=%,d, tail T=%,d, key %d B, value %d B, RF 2, 2 logds, transport %s, " +
            "free disk %,d MiB, dir %s%n", keys, tailKeys, MapdKeys.KEY_LENGTH, VALUE_LENGTH, Transports.name(),
            freeBytes >> 20, root);

        final ByteBuf value = Unpooled.directBuffer(VALUE_LENGTH).writeZero(VALUE_LENGTH);
        final EventLoopGroup clients = Transports.newEventLoopGroup(1, "bench-client");
        final BenchCluster cluster = new BenchCluster(root, 2);
        try
        {
            run(cluster, clients, value, keys, tailKeys, deadlineNs);
        }
        finally
        {
            cluster.close();
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            value.release();
            BenchCluster.deleteTree(root);
        }
        return 0;
    }

    private static void run(
        final BenchCluster cluster,
        final EventLoopGroup clients,
        final ByteBuf value,
        final long keys,
        final long tailKeys,
        final long deadlineNs) throws Exception
    {
        final MapdConfig config = cluster.mapdConfig(2, keys + tailKeys);
        final Path mapdDir = config.dir();
        final Path snapshot = mapdDir.resolve(GridSnapshot.FILE_NAME);

        long startNs = System.nanoTime();
        cluster.startMapd(config);
        System.out.printf("empty start: %,d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));

        final SetLoader.Result load = SetLoader.load(clients, cluster.mapdAddress(), LOAD_CONNECTIONS, LOAD_WINDOW,
            0, keys, value, remainingMs(deadlineNs));
        System.out.printf("load: %,d keys in %.2f s = %,.0f SET/s (%d connections x %d in flight), errors %,d%n",
            load.keys(), load.nanos() / 1e9, load.perSecond(), LOAD_CONNECTIONS, LOAD_WINDOW, load.errors());
        System.out.printf("grid after load: live keys %,d%n", cluster.mapd.grid().liveKeys());
        printLogds(cluster);

        startNs = System.nanoTime();
        cluster.closeMapd();
        System.out.printf("clean stop (incl. final snapshot): %,d ms; snapshot.bin %,d B; journal files %,d B%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), Files.size(snapshot),
            BenchCluster.bytesUnder(mapdDir.resolve(GridJournal.DIRECTORY)));

        restart(cluster, config, "(a) snapshot only", keys);

        final SetLoader.Result tail = SetLoader.load(clients, cluster.mapdAddress(), LOAD_CONNECTIONS, LOAD_WINDOW,
            keys, tailKeys, value, remainingMs(deadlineNs));
        System.out.printf("tail: %,d keys in %.2f s = %,.0f SET/s, errors %,d%n",
            tail.keys(), tail.nanos() / 1e9, tail.perSecond(), tail.errors());
        final Path oldSnapshot = mapdDir.resolve("snapshot-before-tail.bin");
        Files.copy(snapshot, oldSnapshot, StandardCopyOption.REPLACE_EXISTING);
        cluster.closeMapd();
        Files.move(oldSnapshot, snapshot, StandardCopyOption.REPLACE_EXISTING);
        checkBudget(deadlineNs);
        restart(cluster, config, "(b) snapshot of N + journal tail", keys + tailKeys);

        cluster.closeMapd();
        Files.delete(snapshot);
        checkBudget(deadlineNs);
        System.out.printf("journal files before (c): %,d B%n",
            BenchCluster.bytesUnder(mapdDir.resolve(GridJournal.DIRECTORY)));
        restart(cluster, config, "(c) journal only", keys + tailKeys);
    }

    private static void restart(
        final BenchCluster cluster, final MapdConfig config, final String name, final long expectedLiveKeys)
        throws Exception
    {
        final long heapBefore = heapUsedAfterGc();
        final long startNs = System.nanoTime();
        final MapdServer mapd = cluster.startMapd(config);
        final long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        final MapdServer.Recovery recovery = mapd.recovery();
        final long liveKeys = mapd.grid().liveKeys();
        System.out.printf("restart %s: serving after %,d ms (recovery %,d ms: %,d snapshot entries + %,d journal " +
            "entries); live keys %,d%s%n", name, wallMs, recovery.millis(), recovery.snapshotEntries(),
            recovery.journalEntries(), liveKeys, liveKeys == expectedLiveKeys ? "" : " EXPECTED " + expectedLiveKeys);
        final long heapAfter = heapUsedAfterGc();
        System.out.printf("  heap used (after System.gc() x3): %,d B before start, %,d B after, mapd share %,d B; " +
            "grid index (on heap) %,d B, grid off-heap (entries + keys) %,d B%n", heapBefore, heapAfter,
            heapAfter - heapBefore, mapd.grid().indexBytes(), mapd.grid().entryBytes() + mapd.grid().keyArenaBytes());
    }

    private static long heapUsedAfterGc()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void printLogds(final BenchCluster cluster)
    {
        for (int i = 0; i < cluster.logds.length; i++)
        {
            final io.metrodb.log.LogStats stats = cluster.logds[i].store().stats();
            System.out.printf("logd %d: %,d appends, %,d segments, %,d B on disk%n", cluster.logds[i].nodeId(),
                stats.appends(), stats.segmentCount(), stats.bytesOnDisk());
        }
    }

    private static long remainingMs(final long deadlineNs)
    {
        checkBudget(deadlineNs);
        return TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
    }

    private static void checkBudget(final long deadlineNs)
    {
        if (deadlineNs - System.nanoTime() < 0)
        {
            throw new IllegalStateException("time budget (-Dbudget.seconds) spent; stopping");
        }
    }
}
