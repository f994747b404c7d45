package io.metrodb.log;

import io.metrodb.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Write-behind and the dropped mappings it goes with: chunks of published appends are handed to write-back before
 * any force, and every byte still reads back, through the mapping, after a force, and after a restart.
 * Needs the foreign linker, which the build's test JVM enables.
 */
class WriteBehindTest
{
    private static final int SEGMENT_LENGTH = 1 << 20;
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    private LogConfig config(final int writeBehindLength)
    {
        return new LogConfig()
            .directory(dir)
            .segmentLength(SEGMENT_LENGTH)
            .maxEntryLength(16 * 1024)
            .backgroundForceIntervalMs(60_000)
            .checkpointIntervalMs(60_000)
            .writeBehindLength(writeBehindLength)
            .validate();
    }

    @Test
    void shouldStartWriteBackOfWholeChunksBeforeAnyForceAndKeepEveryByte() throws Exception
    {
        final List<long[]> appended = new ArrayList<>();
        try (LogStore store = LogStore.open(config(CHUNK)))
        {
            long bytes = 0;
            for (int i = 0; bytes < 3 * SEGMENT_LENGTH; i++)
            {
                final byte[] entry = payload(i, 9000);
                final long offset = LogAppends.append(store, entry, 0, entry.length);
                assertTrue(offset >= 0, () -> LogResult.describe(offset));
                appended.add(new long[]{ i, offset });
                bytes += entry.length;
            }
            final long tail = store.tailPosition();

            // The background force is a minute away: only write-behind can hand these bytes over.
            Await.until("write-behind of the chunks below the tail " + tail, 10_000,
                () -> store.stats().writeBehindBytes() >= (tail & -CHUNK) - CHUNK,
                () -> "handed over " + store.stats().writeBehindBytes());
            assertEquals(0, store.stats().forces(), "no force yet");
            assertTrue(store.stats().writeBehinds() >= 1);
            assertTrue(store.stats().writeBehindBytes() <= (tail & -CHUNK), "only whole chunks below the tail");
            assertEveryEntryReadsBack(store, appended);

            final byte[] last = payload(-1, 100);
            final long lastOffset = store.appendDurableAndWait(last);
            assertTrue(lastOffset >= 0, () -> LogResult.describe(lastOffset));
            appended.add(new long[]{ -1, lastOffset });
            assertTrue(store.stats().forces() >= 1);
            assertEveryEntryReadsBack(store, appended);
        }

        try (LogStore reopened = LogStore.open(config(CHUNK)))
        {
            assertEveryEntryReadsBack(reopened, appended);
        }
    }

    @Test
    void shouldNotWriteBehindWhenTurnedOff() throws Exception
    {
        try (LogStore store = LogStore.open(config(0)))
        {
            final byte[] entry = payload(7, 4096);
            for (int i = 0; i < 1000; i++)
            {
                assertTrue(LogAppends.append(store, entry, 0, entry.length) >= 0);
            }
            assertTrue(store.appendDurableAndWait(entry) >= 0);
            assertEquals(0, store.stats().writeBehinds());
            assertEquals(0, store.stats().writeBehindBytes());
        }
    }

    private static void assertEveryEntryReadsBack(final LogStore store, final List<long[]> appended)
    {
        for (final long[] seedAndOffset : appended)
        {
            final int seed = (int)seedAndOffset[0];
            assertReadsBack(store, seedAndOffset[1], seed < 0 ? payload(seed, 100) : payload(seed, 9000));
        }
    }
}
