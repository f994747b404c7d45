package io.metrodb.bench.grid;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.GridWrite;
import io.metrodb.mapd.grid.KeyGrid;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Memory per key of the grid (RF 2) at N 16-byte keys, heap (after System.gc(), via MemoryMXBean) plus off-heap
 * (the grid's own figures), against ConcurrentHashMap&lt;String, Object[]&gt; as the naive on-heap reference.
 * Also reports the grid's load time and its slowest single apply, which is the largest index resize.
 * <p>
 * Run: {@code java -Xmx12g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * -cp bench/target/benchmarks.jar io.metrodb.bench.grid.GridMemory 10000000}
 */
@Command(
    name = "GridMemory",
    showDefaultValues = true,
    description = "Memory per key of the grid (RF 2) against a ConcurrentHashMap.")
public final class GridMemory implements Callable<Integer>
{
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    @CommandLine.Mixin
    private HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "KEYS", description = "Keys to load.")
    private int keys = 10_000_000;

    private GridMemory()
    {
    }

    public static void main(final String[] args)
    {
        HarnessCommand.run(new GridMemory(), args);
    }

    @Override
    public Integer call()
    {
        System.out.printf("keys=%,d key length=%d B, RF 2%n", keys, BenchKeys.KEY_LENGTH);
        loadGrid(10_000).close();
        measureGrid(keys);
        measureConcurrentHashMap(keys);
        return 0;
    }

    private static KeyGrid loadGrid(final int keys)
    {
        final KeyGrid grid = new KeyGrid(2, KeyGrid.DEFAULT_INITIAL_CAPACITY);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[BenchKeys.KEY_LENGTH]);
        final long[] replicas = { GridReplica.pack(1, 4096), GridReplica.pack(2, 8192) };
        final GridWrite write = new GridWrite();
        for (int i = 0; i < keys; i++)
        {
            BenchKeys.key(key, i);
            grid.apply(write.key(key, 0, BenchKeys.KEY_LENGTH).version(i + 1L, 1).flags(0).value(100 + (i & 1023), i)
                .replicas(2, replicas));
        }

        return grid;
    }

    private static void measureGrid(final int keys)
    {
        // A small grid loaded and closed first (in main) keeps class loading out of the heap difference.
        final long heapBefore = heapUsedAfterGc();
        final KeyGrid grid = new KeyGrid(2, KeyGrid.DEFAULT_INITIAL_CAPACITY);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[BenchKeys.KEY_LENGTH]);
        final long[] replicas = { GridReplica.pack(1, 4096), GridReplica.pack(2, 8192) };
        final GridWrite write = new GridWrite();

        long slowestApplyNs = 0;
        final long startNs = System.nanoTime();
        for (int i = 0; i < keys; i++)
        {
            BenchKeys.key(key, i);
            final long applyStartNs = System.nanoTime();
            grid.apply(write.key(key, 0, BenchKeys.KEY_LENGTH).version(i + 1L, 1).flags(0).value(100 + (i & 1023), i)
                .replicas(2, replicas));
            slowestApplyNs = Math.max(slowestApplyNs, System.nanoTime() - applyStartNs);
        }
        final long loadNs = System.nanoTime() - startNs;

        final long heapBytes = heapUsedAfterGc() - heapBefore;
        final long offHeapBytes = grid.entryBytes() + grid.keyArenaBytes();
        System.out.printf("grid: load %.2f s, slowest apply (largest resize) %.1f ms, capacity %,d slots, load %.3f%n",
            loadNs / 1e9, slowestApplyNs / 1e6, grid.capacity(), (double)grid.size() / grid.capacity());
        System.out.printf("grid: indexBytes %,d  entryBytes %,d  keyArenaBytes %,d (used %,d)%n",
            grid.indexBytes(), grid.entryBytes(), grid.keyArenaBytes(), grid.keyArenaUsedBytes());
        report("grid", keys, heapBytes, offHeapBytes);
        grid.close();
    }

    private static void measureConcurrentHashMap(final int keys)
    {
        final long heapBefore = heapUsedAfterGc();
        final ConcurrentHashMap<String, Object[]> map = new ConcurrentHashMap<>();
        final long startNs = System.nanoTime();
        for (int i = 0; i < keys; i++)
        {
            // 16 ASCII chars, so a compact (Latin-1) String holds 16 key bytes; values avoid the box caches.
            final String key = String.format("k%015d", i);
            final Object[] value = {
                (long)i + Integer.MAX_VALUE, (i & 0xFFFF) + 1000, 100 + (i & 1023) + 1000, new long[]{ 4096, 8192 } };
            map.put(key, value);
        }
        final long loadNs = System.nanoTime() - startNs;

        final long heapBytes = heapUsedAfterGc() - heapBefore;
        System.out.printf("ConcurrentHashMap<String, Object[]{Long version, Integer node, Integer valueLength, " +
            "long[2] replicas}>: load %.2f s, size %,d%n", loadNs / 1e9, map.size());
        report("chm ", keys, heapBytes, 0);
    }

    private static void report(final String name, final int keys, final long heapBytes, final long offHeapBytes)
    {
        final long total = heapBytes + offHeapBytes;
        System.out.printf("%s: heap %,d B + off-heap %,d B = %,d B; %.1f B/key, %.1f B/key beyond the key bytes%n",
            name, heapBytes, offHeapBytes, total,
            (double)total / keys, (double)(total - (long)keys * BenchKeys.KEY_LENGTH) / keys);
    }

    private static long heapUsedAfterGc()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }

        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
