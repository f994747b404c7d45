package io.metrodb.bench.logd;

import io.metrodb.log.DurableListener;
import io.metrodb.log.LogConfig;
import io.metrodb.log.LogResult;
import io.metrodb.log.LogStats;
import io.metrodb.log.LogStore;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One appender thread appending entries of {@code entryLength} bytes to a {@link LogStore} with 128 MiB segments.
 * <ul>
 *     <li>{@link #append}: throughput of {@link LogStore#append} into the mapping (page cache), with the store's
 *     background force and segment allocator running as in production. Not a disk figure: the bytes are not
 *     known to be on disk when an op ends.</li>
 *     <li>{@link #appendThenForce}: one shot of {@code flushBytes} of entries, the last one durable, timed until
 *     that last one is acknowledged, i.e. until everything is forced. Comparable to
 *     {@code dd bs=1M count=1024 conv=fdatasync} (same byte count by default), which also includes its flush.</li>
 *     <li>{@link #ddReference}: that dd, done by this JVM with a FileChannel in the same run, because the
 *     bandwidth of a shared virtual disk moves a lot between minutes.</li>
 * </ul>
 * A fresh store in a new directory under {@code dir} for every iteration (every shot), closed and deleted in
 * the iteration's tear-down, so the disk holds at most {@code maxTotalBytes} for it at any time. A store that
 * reaches that bound fails the benchmark rather than measuring refused appends.
 * <p>
 * MB/s = ops/s x entryLength / 10^6 for {@link #append}; flushBytes / 10^6 / (s/op) for {@link #appendThenForce}.
 * Run: {@code bench/scripts/logd-bench.sh}, or see docs/BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.leakDetection.level=disabled"})
public class LogAppendBenchmark
{
    static final int SEGMENT_LENGTH = 128 * 1024 * 1024;
    static final int DD_BLOCK_LENGTH = 1024 * 1024;

    @Param({"100", "4096"})
    int entryLength;

    /** Parent of the per-iteration store directories; relative to the working directory. */
    @Param(BenchFiles.DEFAULT_BASE_DIRECTORY)
    String dir;

    /** Bound on the segment files of one iteration's store. */
    @Param("2147483648")
    long maxTotalBytes;

    /** Bytes of entries {@link #appendThenForce} appends per shot (1 GiB, as the dd reference). */
    @Param("1073741824")
    long flushBytes;

    /** {@link LogConfig#prefillWriteLength}: 65536 is the default, 0 leaves the page cache to the faults. */
    @Param("65536")
    int prefillWriteLength;

    /** {@link LogConfig#writeBehindLength}: 1048576 is the default, 0 leaves all write-back to the forces. */
    @Param("1048576")
    int writeBehindLength;

    private ByteBuf entry;
    /** The entry as the log takes it: a view made at the edge, as logd's handler does per APPEND. */
    private final FrameView entryView = new FrameView();
    private LogStore store;
    private Path directory;
    private long writeBytesAtStart;
    private long shotStartNs;
    private long appendsDoneNs;
    private long shotEndNs;
    private final DurableLatch durableLatch = new DurableLatch();

    @Setup(Level.Trial)
    public void setupTrial()
    {
        entry = Unpooled.directBuffer(entryLength, entryLength);
        for (int i = 0; i < entryLength; i++)
        {
            entry.writeByte(i * 31);
        }
    }

    @TearDown(Level.Trial)
    public void tearDownTrial()
    {
        entry.release();
    }

    @Setup(Level.Iteration)
    public void openStore(final BenchmarkParams params)
    {
        directory = BenchFiles.newRunDirectory(dir, "append-");
        if (params.getBenchmark().endsWith(".ddReference"))
        {
            return;
        }
        store = LogStore.open(new LogConfig()
            .directory(directory)
            .segmentLength(SEGMENT_LENGTH)
            .maxTotalBytes(maxTotalBytes)
            .prefillWriteLength(prefillWriteLength)
            .writeBehindLength(writeBehindLength)
            .validate());
        writeBytesAtStart = BenchFiles.processBytesWritten();
    }

    @TearDown(Level.Iteration)
    public void closeStore()
    {
        if (null == store)
        {
            BenchFiles.deleteRecursively(directory);
            return;
        }
        // Read first: for appendThenForce everything appended is on disk now, before close adds its own writes.
        // write_bytes = bytes this process sent to storage (/proc/self/io): segment zero-fill plus forced data.
        final long writeBytes = BenchFiles.processBytesWritten() - writeBytesAtStart;
        final LogStats stats = store.stats();
        final long appendedBytes = stats.appends() * entryLength;
        System.out.printf("%n  [store] appends=%d appendedMB=%.1f rollovers=%d segmentFiles=%d forces=%d " +
            "rolloverWaitMs=%d writeBehinds=%d writeBehindMB=%.1f writeBehindMs=%d writeBytesMB=%.1f " +
            "writeBytes/appended=%.2f%n",
            stats.appends(), appendedBytes / 1e6, stats.rollovers(), stats.segmentFiles(), stats.forces(),
            TimeUnit.NANOSECONDS.toMillis(stats.rolloverWaitNs()),
            stats.writeBehinds(), stats.writeBehindBytes() / 1e6, TimeUnit.NANOSECONDS.toMillis(stats.writeBehindNs()),
            writeBytes / 1e6, appendedBytes > 0 && writeBytesAtStart >= 0 ? (double)writeBytes / appendedBytes : 0.0);
        if (shotEndNs != 0)
        {
            // appendThenForce: time in the append loop (copying, and waiting at rollover for the next segment)
            // versus waiting for the last durable append's force.
            System.out.printf("  [shot] appendLoopMs=%d forceWaitMs=%d%n",
                TimeUnit.NANOSECONDS.toMillis(appendsDoneNs - shotStartNs),
                TimeUnit.NANOSECONDS.toMillis(shotEndNs - appendsDoneNs));
            shotEndNs = 0;
        }
        store.close();
        store = null;
        BenchFiles.deleteRecursively(directory);
    }

    /**
     * Appends into the mapping; the store forces in the background every 100 ms.
     *
     * @return the offset.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 5, time = 1)
    public long append()
    {
        final long offset = store.append(entryView.wrap(entry), 0, entryLength);
        if (offset < 0)
        {
            throw failOnAppend(offset);
        }
        return offset;
    }

    /**
     * Appends {@code flushBytes} of entries, the last one with {@link LogStore#appendDurable}, and waits for
     * its acknowledgement: the sync thread acknowledges only once everything before it is forced too.
     *
     * @return the last offset.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public long appendThenForce() throws InterruptedException
    {
        final long entries = flushBytes / entryLength;
        shotStartNs = System.nanoTime();
        for (long i = 1; i < entries; i++)
        {
            final long offset = store.append(entryView.wrap(entry), 0, entryLength);
            if (offset < 0)
            {
                throw failOnAppend(offset);
            }
        }
        final DurableLatch latch = durableLatch.reset();
        final long offset = store.appendDurable(entryView.wrap(entry), 0, entryLength, latch, 0, null);
        if (offset < 0)
        {
            throw failOnAppend(offset);
        }
        appendsDoneNs = System.nanoTime();
        latch.await();
        shotEndNs = System.nanoTime();
        if (LogResult.OK != latch.status)
        {
            throw new IllegalStateException("durable append failed: " + LogResult.describe(latch.status));
        }
        return offset;
    }

    /**
     * The dd reference in this JVM, between the other shots: {@code flushBytes} of zeros written 1 MiB at a time
     * to a new file, then one {@code force(false)} (fdatasync), timed as a whole, like
     * {@code dd if=/dev/zero bs=1M conv=fdatasync}. Runs once per entryLength value, which it ignores.
     *
     * @return bytes written.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public long ddReference() throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(DD_BLOCK_LENGTH);
        long position = 0;
        try (FileChannel channel = FileChannel.open(
            directory.resolve("dd.tmp"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            while (position < flushBytes)
            {
                zeros.clear();
                while (zeros.hasRemaining())
                {
                    position += channel.write(zeros, position);
                }
            }
            channel.force(false);
        }
        return position;
    }

    private IllegalStateException failOnAppend(final long result)
    {
        return new IllegalStateException("append failed: " + LogResult.describe(result) +
            (LogResult.STORAGE_FULL == result ? " (maxTotalBytes=" + maxTotalBytes +
                " reached within one iteration: shorten the iteration or raise -p maxTotalBytes)" : ""));
    }

    private static final class DurableLatch implements DurableListener
    {
        private volatile CountDownLatch latch;
        private volatile int status;

        DurableLatch reset()
        {
            latch = new CountDownLatch(1);
            status = Integer.MIN_VALUE;
            return this;
        }

        void await() throws InterruptedException
        {
            latch.await();
        }

        @Override
        public void onDurable(final long requestId, final Object context, final long offset, final int status)
        {
            this.status = status;
            latch.countDown();
        }
    }
}
