package io.metrodb.log;

import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.payload;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripAcrossRolloverAndRestart()
    {
        final long seed = LogTestSupport.seed("shouldRoundTripAcrossRolloverAndRestart");
        final List<Long> offsets = new ArrayList<>();
        final int count = 2_000;
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            long previous = -1;
            for (int i = 0; i < count; i++)
            {
                final long offset = LogAppends.append(store, payload(seed + i, 300));
                assertTrue(offset > previous, () -> "offset " + offset + " not increasing");
                offsets.add(offset);
                previous = offset;
            }
            assertTrue(store.stats().segmentCount() > 3, "expected several rollovers");
            for (int i = 0; i < count; i++)
            {
                assertReadsBack(store, offsets.get(i), payload(seed + i, 300));
            }
        }

        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertFalse(store.recoveredTornTail());
            for (int i = 0; i < count; i++)
            {
                assertReadsBack(store, offsets.get(i), payload(seed + i, 300));
            }
            final long next = LogAppends.append(store, new byte[]{ 1, 2, 3 });
            assertTrue(next > offsets.get(count - 1));
            assertArrayEquals(new byte[]{ 1, 2, 3 }, store.readBytes(next));
        }
        assertEquals(LogVerifier.EXIT_OK, LogVerifier.run(dir, System.out));
    }

    @Test
    void shouldAppendFromEverySourceKindAndReadIntoEveryDestination()
    {
        final byte[] bytes = new byte[1000];
        new java.util.Random(42).nextBytes(bytes);
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            final ByteBuf heap = Unpooled.wrappedBuffer(bytes);
            final ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(bytes.length + 10).writeZero(10).writeBytes(bytes);
            final CompositeByteBuf composite = Unpooled.compositeBuffer()
                .addComponents(true, Unpooled.wrappedBuffer(bytes, 0, 100), Unpooled.wrappedBuffer(bytes, 100, bytes.length - 100));
            final UnsafeBuffer agrona = new UnsafeBuffer(bytes);
            // Netty buffers reach the log through the edge's reused view.
            final FrameView view = new FrameView();
            try
            {
                final long[] offsets = {
                    store.append(view.wrap(heap), 0, bytes.length),
                    store.append(view.wrap(direct), 10, bytes.length),
                    store.append(view.wrap(composite), 0, bytes.length),
                    store.append(agrona, 0, bytes.length),
                    LogAppends.append(store, bytes, 0, bytes.length),
                };
                for (final long offset : offsets)
                {
                    assertTrue(offset >= 0, LogResult.describe(offset));
                    assertReadsBack(store, offset, bytes);

                    final ByteBuf dstDirect = ByteBufAllocator.DEFAULT.directBuffer(16);
                    final ByteBuf dstHeap = Unpooled.buffer(4);
                    try
                    {
                        assertEquals(bytes.length, store.read(offset, dstDirect));
                        assertEquals(bytes.length, store.read(offset, dstHeap));
                        assertEquals(Unpooled.wrappedBuffer(bytes), dstDirect);
                        assertEquals(Unpooled.wrappedBuffer(bytes), dstHeap);
                    }
                    finally
                    {
                        dstDirect.release();
                        dstHeap.release();
                    }
                }

                final ByteBuf tooSmall = Unpooled.buffer(4, 8);
                assertEquals(LogResult.BUFFER_TOO_SMALL, store.read(offsets[0], tooSmall));
                tooSmall.release();
            }
            finally
            {
                heap.release();
                direct.release();
                composite.release();
            }
        }
    }

    @Test
    void shouldRejectOversizeEntriesAndBadRanges()
    {
        try (LogStore store = LogStore.open(smallConfig(dir).maxEntryLength(100)))
        {
            assertEquals(LogResult.ENTRY_TOO_LARGE, LogAppends.append(store, new byte[101]));
            assertTrue(LogAppends.append(store, new byte[100]) >= 0);
            assertTrue(LogAppends.append(store, new byte[0]) >= 0);
            assertEquals(LogResult.INVALID_ARGUMENT, LogAppends.append(store, new byte[10], 5, 6));
            assertEquals(LogResult.INVALID_ARGUMENT, LogAppends.append(store, new byte[10], -1, 2));
            assertEquals(LogResult.INVALID_ARGUMENT, LogAppends.append(store, new byte[10], 0, -1));
            assertEquals(4, store.stats().appendErrors());
            assertEquals(2, store.stats().appends());
        }
    }

    @Test
    void shouldAcceptMaxEntryFillingAWholeSegment()
    {
        final int max = LogTestSupport.SMALL_SEGMENT - RecordHeader.HEADER_LENGTH;
        try (LogStore store = LogStore.open(smallConfig(dir).maxEntryLength(max)))
        {
            final byte[] small = payload(1, 100);
            final byte[] big = payload(2, 0);
            final byte[] full = new byte[max];
            full[0] = 7;
            full[max - 1] = 9;
            final long a = LogAppends.append(store, small);
            final long b = LogAppends.append(store, full);
            final long c = LogAppends.append(store, full);
            final long d = LogAppends.append(store, big);
            assertEquals(LogTestSupport.SMALL_SEGMENT, b);
            assertEquals(2L * LogTestSupport.SMALL_SEGMENT, c);
            assertEquals(3L * LogTestSupport.SMALL_SEGMENT, d);
            assertReadsBack(store, a, small);
            assertReadsBack(store, b, full);
            assertReadsBack(store, c, full);
            assertReadsBack(store, d, big);
        }
    }

    @Test
    void shouldScanInOrderSkippingPaddingAndResumeFromReturnedOffset()
    {
        final long seed = LogTestSupport.seed("shouldScanInOrderSkippingPaddingAndResumeFromReturnedOffset");
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            final List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < 1000; i++)
            {
                offsets.add(LogAppends.append(store, payload(seed + i, 500)));
            }

            final List<Long> seen = new ArrayList<>();
            long position = 0;
            while (position < store.tailPosition())
            {
                position = store.scan(position, 37, (offset, buffer, index, length) ->
                {
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(index, bytes);
                    assertArrayEquals(payload(seed + seen.size(), 500), bytes);
                    seen.add(offset);
                    return true;
                });
                assertTrue(position >= 0, LogResult.describe(position));
            }
            assertEquals(offsets, seen);
            assertEquals(store.tailPosition(), position);

            assertEquals(LogResult.BAD_OFFSET, store.scan(3, 1, (o, b, i, l) -> true));
            assertEquals(LogResult.PAST_TAIL, store.scan(store.tailPosition() + 8, 1, (o, b, i, l) -> true));
            final long stopAfterOne = store.scan(0, 10, (o, b, i, l) -> false);
            assertEquals(offsets.get(1), stopAfterOne);
        }
    }

    @Test
    void shouldReportStatsAndRefuseWorkAfterClose() throws Exception
    {
        final LogStore store = LogStore.open(smallConfig(dir));
        final long offset = LogAppends.append(store, new byte[]{ 1 });
        assertEquals(0, offset);
        assertTrue(store.appendDurableAndWait(new byte[]{ 2 }) > 0);
        store.readBytes(offset);

        final LogStats stats = store.stats();
        assertEquals(2, stats.appends());
        assertEquals(1, stats.reads());
        LogTestSupport.awaitTrue(() -> stats.durableAcks() == 1, 10_000, "counted after the listener ran");
        assertTrue(stats.forces() >= 1);
        assertEquals(2 * RecordHeader.frameLength(1), stats.tailPosition());
        assertTrue(stats.durablePosition() >= 2 * RecordHeader.frameLength(1));
        assertTrue(stats.bytesOnDisk() >= LogTestSupport.SMALL_SEGMENT);
        assertTrue(stats.toString().contains("durable_acks=1"));
        store.close();

        assertEquals(LogResult.CLOSED, LogAppends.append(store, new byte[]{ 3 }));
        assertEquals(LogResult.CLOSED,
            LogAppends.appendDurable(store, new byte[]{ 3 }, 0, 1, (r, c, o, s) -> { }, 0, null));
        assertEquals(LogResult.CLOSED, store.read(offset, new RecordView()));
        assertEquals(LogResult.CLOSED, store.scan(0, 1, (o, b, i, l) -> true));
        store.close();
    }

    @Test
    void shouldRefuseSecondOpenOfSameDirectory()
    {
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertEquals(0, store.tailPosition());
            final LogStoreException ex = assertThrows(LogStoreException.class, () -> LogStore.open(smallConfig(dir)));
            assertTrue(ex.getMessage().contains("in use"), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseReopenWithDifferentSegmentLength()
    {
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            LogAppends.append(store, new byte[10]);
        }
        final LogStoreException ex = assertThrows(
            LogStoreException.class, () -> LogStore.open(smallConfig(dir).segmentLength(2 * LogTestSupport.SMALL_SEGMENT)));
        assertTrue(ex.getMessage().contains("segmentLength"), ex.getMessage());
    }

    @Test
    void shouldAllocateSegmentFilesForRealAndPrecreateTheNext() throws Exception
    {
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            LogTestSupport.awaitTrue(() -> Files.exists(SegmentFiles.segmentPath(dir, 1)), 5_000,
                "next segment pre-created");
            for (int i = 0; i < 2; i++)
            {
                final Path file = SegmentFiles.segmentPath(dir, i);
                assertEquals(LogTestSupport.SMALL_SEGMENT, Files.size(file));
                final Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
                final String[] blocks = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
                if (0 == stat.waitFor() && blocks.length == 2)
                {
                    final long allocated = Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
                    assertTrue(allocated >= LogTestSupport.SMALL_SEGMENT, "sparse segment file: " + allocated);
                }
            }
            assertEquals(1, store.stats().segmentCount());
            assertEquals(2, store.stats().segmentFiles());
        }
    }

    @Test
    void shouldLeaveNoThreadsRunningAfterClose() throws Exception
    {
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertTrue(store.appendDurableAndWait(new byte[8]) >= 0);
            assertTrue(logdThreads() >= 2, "sync and allocator threads running");
        }
        assertEquals(0, logdThreads(), "threads left after close");
    }

    private static long logdThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.isAlive() && thread.getName().startsWith("logd-"))
            .count();
    }
}
