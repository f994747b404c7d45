package io.metrodb.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.metrodb.log.LogTestSupport.SMALL_SEGMENT;
import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.payload;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryTest
{
    private static final int RECORDS = 600;
    private static final int MAX_PAYLOAD = 300;

    @TempDir
    Path dir;

    @Test
    void shouldZeroGarbageWrittenPastTheTailAndAppendThere() throws IOException
    {
        final long seed = LogTestSupport.seed("shouldZeroGarbageWrittenPastTheTailAndAppendThere");
        final List<Long> offsets = appendAndClose(seed, RECORDS);
        final long tail = endOf(seed, offsets);

        final byte[] garbage = new byte[5000];
        new SplittableRandom(seed).nextBytes(garbage);
        writeAt(tail, garbage);
        final long nextSegment = (tail / SMALL_SEGMENT + 1) * SMALL_SEGMENT;
        if (Files.exists(SegmentFiles.segmentPath(dir, (int)(nextSegment / SMALL_SEGMENT))))
        {
            writeAt(nextSegment + 64, garbage);
        }

        assertEquals(LogVerifier.EXIT_OK, LogVerifier.run(dir, System.out), "garbage after the tail is a torn tail");
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertTrue(store.recoveredTornTail());
            assertEquals(tail, store.tailPosition());
            assertAllReadBack(store, seed, offsets);
            assertEquals(LogResult.PAST_TAIL, store.read(tail, new RecordView()));
            final long next = LogAppends.append(store, new byte[]{ 9 });
            assertEquals(tail, next);
            assertReadsBack(store, next, new byte[]{ 9 });
        }
        assertEquals(LogVerifier.EXIT_OK, LogVerifier.run(dir, System.out));
    }

    @Test
    void shouldDropTornLastRecordWhenThereIsNoCheckpoint() throws IOException
    {
        final long seed = LogTestSupport.seed("shouldDropTornLastRecordWhenThereIsNoCheckpoint");
        final List<Long> offsets = appendAndClose(seed, RECORDS);
        final long last = offsets.get(RECORDS - 1);
        Files.delete(dir.resolve(Checkpoint.FILE_NAME));
        // Garbage over the start of the last record's payload, or over its checksum when it has no payload.
        final boolean emptyPayload = payload(seed + RECORDS - 1, MAX_PAYLOAD).length == 0;
        writeAt(last + (emptyPayload ? RecordHeader.CRC_OFFSET : RecordHeader.HEADER_LENGTH),
            new byte[]{ (byte)0xFF, 0x00, 0x55 });

        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertTrue(store.recoveredTornTail());
            assertEquals(last, store.tailPosition());
            assertAllReadBack(store, seed, offsets.subList(0, RECORDS - 1));
            assertEquals(LogResult.PAST_TAIL, store.read(last, new RecordView()));
            assertEquals(last, LogAppends.append(store, new byte[]{ 1 }));
        }
    }

    @Test
    void shouldRecoverFromSegmentFileTruncatedMidRecord() throws IOException
    {
        final long seed = LogTestSupport.seed("shouldRecoverFromSegmentFileTruncatedMidRecord");
        final List<Long> offsets = appendAndClose(seed, RECORDS);
        final int tornIndex = RECORDS - 10;
        final long torn = offsets.get(tornIndex);
        new Checkpoint(dir, SMALL_SEGMENT).write(offsets.get(tornIndex - 50));
        for (int i = (int)(torn / SMALL_SEGMENT) + 1; Files.exists(SegmentFiles.segmentPath(dir, i)); i++)
        {
            Files.delete(SegmentFiles.segmentPath(dir, i));
        }
        try (FileChannel channel = FileChannel.open(
            SegmentFiles.segmentPath(dir, (int)(torn / SMALL_SEGMENT)), StandardOpenOption.WRITE))
        {
            // Keep the header and part of the payload, or, when the payload is empty, cut into the magic: either
            // way the record must end up torn (for some seeds a payload of 3 bytes or fewer was kept whole, and an
            // empty record whose zero-filled checksum is that of no bytes stayed valid).
            final int tornLength = payload(seed + tornIndex, MAX_PAYLOAD).length;
            channel.truncate(torn % SMALL_SEGMENT + (tornLength > 0 ?
                RecordHeader.HEADER_LENGTH + Math.min(3, tornLength - 1) : RecordHeader.MAGIC_OFFSET + 2));
        }

        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertEquals(torn, store.tailPosition());
            assertAllReadBack(store, seed, offsets.subList(0, tornIndex));
            assertEquals(LogResult.PAST_TAIL, store.read(offsets.get(tornIndex + 1), new RecordView()));
            final byte[] bytes = payload(-1, 100);
            final long next = LogAppends.append(store, bytes);
            assertEquals(torn, next);
            assertReadsBack(store, next, bytes);
        }
        assertEquals(LogVerifier.EXIT_OK, LogVerifier.run(dir, System.out));
    }

    @Test
    void shouldReportFlippedByteInTheMiddleAsCorruptWithoutTruncating() throws IOException
    {
        final long seed = LogTestSupport.seed("shouldReportFlippedByteInTheMiddleAsCorruptWithoutTruncating");
        final List<Long> offsets = appendAndClose(seed, RECORDS);
        final long tail = endOf(seed, offsets);
        final int payloadVictim = findRecordWithPayload(seed, offsets, 100);
        final int lengthVictim = payloadVictim + 7;
        flipByteAt(offsets.get(payloadVictim) + RecordHeader.HEADER_LENGTH + 5);
        flipByteAt(offsets.get(lengthVictim) + RecordHeader.LENGTH_OFFSET + 1);

        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertFalse(store.recoveredTornTail());
            assertEquals(tail, store.tailPosition());
            final RecordView view = new RecordView();
            assertEquals(LogResult.CORRUPT, store.read(offsets.get(payloadVictim), view));
            assertEquals(LogResult.CORRUPT, store.read(offsets.get(lengthVictim), view));
            assertEquals(2, store.stats().corruptReads());
            for (int i = 0; i < RECORDS; i++)
            {
                if (i != payloadVictim && i != lengthVictim)
                {
                    assertReadsBack(store, offsets.get(i), payload(seed + i, MAX_PAYLOAD));
                }
            }

            final List<Long> invalid = new ArrayList<>();
            final long stopped = store.scan(0, Integer.MAX_VALUE, new LogScanHandler()
            {
                public boolean onRecord(final long offset, final org.agrona.DirectBuffer b, final int i, final int l)
                {
                    return true;
                }

                public void onInvalid(final long offset, final int errorCode)
                {
                    invalid.add(offset);
                    assertEquals(LogResult.CORRUPT, errorCode);
                }
            });
            assertEquals(List.of(offsets.get(payloadVictim)), invalid);
            assertEquals(offsets.get(payloadVictim), stopped);
        }

        final ByteArrayOutputStream report = new ByteArrayOutputStream();
        final int exit = LogVerifier.run(dir, new PrintStream(report, true, StandardCharsets.UTF_8));
        final String text = report.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(LogVerifier.EXIT_CORRUPT, exit);
        assertTrue(text.contains("BAD RECORD offset=" + offsets.get(payloadVictim) + " reason=" + RecordValidator.REASON_CRC), text);
        assertTrue(text.contains("BAD RECORD offset=" + offsets.get(lengthVictim)), text);
        assertTrue(text.contains("records=" + (RECORDS - 2)), text);
    }

    @Test
    void shouldReportEachOfConsecutiveDamagedRecords() throws IOException
    {
        final long seed = LogTestSupport.seed("shouldReportEachOfConsecutiveDamagedRecords");
        final List<Long> offsets = appendAndClose(seed, RECORDS);
        final int first = findRunWithPayload(seed, offsets, 50, 4);
        // Three records in a row with a flipped payload byte (CRC mismatch), then one whose length is damaged.
        final List<Long> victims = new ArrayList<>();
        for (int i = first; i < first + 4; i++)
        {
            victims.add(offsets.get(i));
            flipByteAt(offsets.get(i) + (i < first + 3 ? RecordHeader.HEADER_LENGTH + 1 : RecordHeader.LENGTH_OFFSET + 1));
        }

        final ByteArrayOutputStream report = new ByteArrayOutputStream();
        final int exit = LogVerifier.run(dir, new PrintStream(report, true, StandardCharsets.UTF_8));
        final String text = report.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(LogVerifier.EXIT_CORRUPT, exit, "seed " + seed);
        for (final long victim : victims)
        {
            assertTrue(text.contains("BAD RECORD offset=" + victim + " "), "seed " + seed + ", " + victim + ":\n" + text);
        }
        assertEquals(victims.size(), text.split("BAD RECORD", -1).length - 1, "seed " + seed + ":\n" + text);
        assertTrue(text.contains("bad_records=" + victims.size() + " CORRUPT"), "seed " + seed + ":\n" + text);
        assertTrue(text.contains("records=" + (RECORDS - victims.size()) + " "), "seed " + seed + ":\n" + text);
    }

    @Test
    void shouldRecoverEveryCompletedAppendFromAnUncleanCopyTakenWhileAppending() throws Exception
    {
        final long seed = LogTestSupport.seed("shouldRecoverEveryCompletedAppendFromAnUncleanCopyTakenWhileAppending");
        final Path live = dir.resolve("live");
        final Path crashed = dir.resolve("crashed");
        final List<Long> offsets = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch busy = new CountDownLatch(1);
        try (LogStore store = LogStore.open(smallConfig(live)))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                offsets.add(LogAppends.append(store, payload(seed + i, MAX_PAYLOAD)));
            }
            final Thread writer = new Thread(() ->
            {
                for (long i = 0; !stop.get(); i++)
                {
                    LogAppends.append(store, payload(i, MAX_PAYLOAD));
                    if (i == 100)
                    {
                        busy.countDown();
                    }
                }
            });
            writer.start();
            busy.await();
            copyLikeACrash(live, crashed);
            stop.set(true);
            writer.join();
        }

        try (LogStore store = LogStore.open(smallConfig(crashed)))
        {
            assertAllReadBack(store, seed, offsets);
            final long next = LogAppends.append(store, new byte[]{ 4, 2 });
            assertTrue(next >= endOf(seed, offsets));
            assertReadsBack(store, next, new byte[]{ 4, 2 });
        }
        assertEquals(LogVerifier.EXIT_OK, LogVerifier.run(crashed, System.out));
    }

    private List<Long> appendAndClose(final long seed, final int count)
    {
        final List<Long> offsets = new ArrayList<>();
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            for (int i = 0; i < count; i++)
            {
                offsets.add(LogAppends.append(store, payload(seed + i, MAX_PAYLOAD)));
            }
            assertTrue(store.stats().segmentCount() >= 2);
        }
        return offsets;
    }

    private static void assertAllReadBack(final LogStore store, final long seed, final List<Long> offsets)
    {
        for (int i = 0; i < offsets.size(); i++)
        {
            assertReadsBack(store, offsets.get(i), payload(seed + i, MAX_PAYLOAD));
        }
    }

    private static long endOf(final long seed, final List<Long> offsets)
    {
        final int last = offsets.size() - 1;
        return offsets.get(last) + RecordHeader.frameLength(payload(seed + last, MAX_PAYLOAD).length);
    }

    private static int findRecordWithPayload(final long seed, final List<Long> offsets, final int from)
    {
        for (int i = from; i < offsets.size(); i++)
        {
            if (payload(seed + i, MAX_PAYLOAD).length > 10)
            {
                return i;
            }
        }
        throw new AssertionError("no record with payload");
    }

    /**
     * @return the first index from {@code from} of {@code count} consecutive records that each have a payload
     * longer than 10 bytes, all in one segment.
     */
    private static int findRunWithPayload(final long seed, final List<Long> offsets, final int from, final int count)
    {
        for (int i = from; i + count <= offsets.size(); i++)
        {
            boolean fits = offsets.get(i) / SMALL_SEGMENT == offsets.get(i + count - 1) / SMALL_SEGMENT;
            for (int j = i; j < i + count && fits; j++)
            {
                fits = payload(seed + j, MAX_PAYLOAD).length > 10;
            }
            if (fits)
            {
                return i;
            }
        }
        throw new AssertionError("no run of " + count + " records with payload, seed " + seed);
    }

    private void writeAt(final long offset, final byte[] bytes) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(
            SegmentFiles.segmentPath(dir, (int)(offset / SMALL_SEGMENT)).toFile(), "rw"))
        {
            final int position = (int)(offset % SMALL_SEGMENT);
            file.seek(position);
            file.write(bytes, 0, Math.min(bytes.length, SMALL_SEGMENT - position));
        }
    }

    private void flipByteAt(final long offset) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(
            SegmentFiles.segmentPath(dir, (int)(offset / SMALL_SEGMENT)).toFile(), "rw"))
        {
            file.seek(offset % SMALL_SEGMENT);
            final int value = file.read();
            file.seek(offset % SMALL_SEGMENT);
            file.write(value ^ 0x10);
        }
    }

    /**
     * What a kill -9 leaves: the page cache contents of every file; the checkpoint is read first because it only
     * ever trails the segments.
     */
    private static void copyLikeACrash(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        Files.copy(from.resolve(Checkpoint.FILE_NAME), to.resolve(Checkpoint.FILE_NAME));
        final List<Path> segments = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(from, "*" + SegmentFiles.SEGMENT_SUFFIX))
        {
            stream.forEach(segments::add);
        }
        segments.sort(null);
        for (final Path segment : segments)
        {
            Files.copy(segment, to.resolve(segment.getFileName()));
        }
    }
}
