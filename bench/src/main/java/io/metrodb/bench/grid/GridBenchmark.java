package io.metrodb.bench.grid;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.GridWrite;
import io.metrodb.mapd.grid.KeyGrid;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded get (hit) and put (update of an existing key) at uniformly random 16-byte keys, for the grid,
 * {@link ConcurrentHashMap} and Agrona's {@link Object2ObjectHashMap} (not thread-safe: a lower bound for an
 * on-heap map, not a candidate for concurrent readers). Both maps key on a byte-array wrapper with a cached hash
 * and a reused probe key; their put allocates one immutable value, the way concurrent readers would need it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms8g", "-Xmx8g", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GridBenchmark
{
    @State(Scope.Benchmark)
    public static class GridState
    {
        @Param({ "1000000", "10000000" })
        int keys;

        final UnsafeBuffer key = new UnsafeBuffer(new byte[BenchKeys.KEY_LENGTH]);
        final GridEntry entry = new GridEntry();
        final long[] replicas = { GridReplica.pack(1, 4096), GridReplica.pack(2, 8192) };
        final GridWrite write = new GridWrite();
        KeyGrid grid;
        long version;
        long random = 0x2545F4914F6CDD1DL;

        @Setup(Level.Trial)
        public void setup()
        {
            grid = new KeyGrid(2, KeyGrid.DEFAULT_INITIAL_CAPACITY);
            for (int i = 0; i < keys; i++)
            {
                BenchKeys.key(key, i);
                grid.apply(write.key(key, 0, BenchKeys.KEY_LENGTH).version(++version, 1).flags(0).value(100, i)
                    .replicas(2, replicas));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            grid.close();
        }

        int nextKey()
        {
            random = BenchKeys.next(random);
            final int i = BenchKeys.index(random, keys);
            BenchKeys.key(key, i);
            return i;
        }
    }

    @State(Scope.Benchmark)
    public static class ConcurrentHashMapState
    {
        @Param({ "1000000", "10000000" })
        int keys;

        final BytesKey probe = new BytesKey(new byte[BenchKeys.KEY_LENGTH]);
        ConcurrentHashMap<BytesKey, KeyMeta> map;
        long version;
        long random = 0x2545F4914F6CDD1DL;

        @Setup(Level.Trial)
        public void setup()
        {
            map = new ConcurrentHashMap<>();
            for (int i = 0; i < keys; i++)
            {
                final byte[] bytes = new byte[BenchKeys.KEY_LENGTH];
                BenchKeys.key(bytes, i);
                map.put(new BytesKey(bytes), new KeyMeta(++version, 1, 0, 100, i, 4096, 8192));
            }
            ProbeCheck.verifyProbeNotRetained(map, probe);
        }

        void nextKey()
        {
            random = BenchKeys.next(random);
            BenchKeys.key(probe.bytes, BenchKeys.index(random, keys));
            probe.rehash();
        }
    }

    @State(Scope.Benchmark)
    public static class AgronaMapState
    {
        @Param({ "1000000", "10000000" })
        int keys;

        final BytesKey probe = new BytesKey(new byte[BenchKeys.KEY_LENGTH]);
        Object2ObjectHashMap<BytesKey, KeyMeta> map;
        long version;
        long random = 0x2545F4914F6CDD1DL;

        @Setup(Level.Trial)
        public void setup()
        {
            map = new Object2ObjectHashMap<>();
            for (int i = 0; i < keys; i++)
            {
                final byte[] bytes = new byte[BenchKeys.KEY_LENGTH];
                BenchKeys.key(bytes, i);
                map.put(new BytesKey(bytes), new KeyMeta(++version, 1, 0, 100, i, 4096, 8192));
            }
            ProbeCheck.verifyProbeNotRetained(map, probe);
        }

        void nextKey()
        {
            random = BenchKeys.next(random);
            BenchKeys.key(probe.bytes, BenchKeys.index(random, keys));
            probe.rehash();
        }
    }

    @Benchmark
    public long gridGet(final GridState state)
    {
        state.nextKey();
        state.grid.get(state.key, 0, BenchKeys.KEY_LENGTH, state.entry);
        return state.entry.version();
    }

    @Benchmark
    public int gridPut(final GridState state)
    {
        final int i = state.nextKey();
        return state.grid.apply(state.write.key(state.key, 0, BenchKeys.KEY_LENGTH).version(++state.version, 1)
            .flags(0).value(100, i).replicas(2, state.replicas));
    }

    @Benchmark
    public long chmGet(final ConcurrentHashMapState state)
    {
        state.nextKey();
        return state.map.get(state.probe).version;
    }

    @Benchmark
    public Object chmPut(final ConcurrentHashMapState state)
    {
        state.nextKey();
        return state.map.put(state.probe, new KeyMeta(++state.version, 1, 0, 100, 0, 4096, 8192));
    }

    @Benchmark
    public long agronaGet(final AgronaMapState state)
    {
        state.nextKey();
        return state.map.get(state.probe).version;
    }

    @Benchmark
    public Object agronaPut(final AgronaMapState state)
    {
        state.nextKey();
        return state.map.put(state.probe, new KeyMeta(++state.version, 1, 0, 100, 0, 4096, 8192));
    }
}
