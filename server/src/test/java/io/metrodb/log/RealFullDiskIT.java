package io.metrodb.log;

import io.metrodb.testing.EventLines;
import io.metrodb.testing.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A log store on a tmpfs that is really full: the kernel's ENOSPC, not {@link LogConfig#maxTotalBytes} (that is
 * {@link StorageFullTest}). Appends get {@link LogResult#STORAGE_FULL}, every acknowledged record reads back, the
 * store reopens on the full disk and serves reads, and appends resume once space is freed; an operator reads one
 * "disk full" line per store that met it and one "disk has room again" line. Needs root to mount; skipped with the
 * reason elsewhere.
 */
class RealFullDiskIT
{
    private static final long DISK_BYTES = 16L << 20;
    private static final int SEGMENT = 1 << 20;
    private static final int MAX_PAYLOAD = 16 * 1024;
    private static final long LEAVE_BYTES = 3L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerStorageFullKeepEveryAcknowledgedRecordReopenAndResumeOnARealFullDisk() throws Exception
    {
        final Tmpfs disk = Tmpfs.mount(dir.resolve("disk"), DISK_BYTES);
        if (null == disk)
        {
            System.out.println("RealFullDiskIT skipped: " + Tmpfs.whyNot());
        }
        assumeTrue(null != disk, () -> "skipped: " + Tmpfs.whyNot());
        final long seed = LogTestSupport.seed("RealFullDiskIT");
        try (disk; EventLines events = EventLines.capture())
        {
            final Path filler = disk.directory().resolve("filler");
            final Path lastBytes = disk.directory().resolve("filler-last-bytes");
            final LogConfig config = new LogConfig()
                .directory(disk.directory().resolve("log"))
                .segmentLength(SEGMENT)
                .maxEntryLength(MAX_PAYLOAD)
                .backgroundForceIntervalMs(20)
                .checkpointIntervalMs(50);
            final Map<Long, byte[]> acknowledged = new LinkedHashMap<>();
            int fullResult;
            int beforeFull;
            long bytesBeforeFull = 0;
            try (LogStore store = LogStore.open(config))
            {
                Tmpfs.fillLeaving(filler, LEAVE_BYTES);
                fullResult = appendUntilRefused(store, seed, acknowledged);
                assertEquals(LogResult.describe(LogResult.STORAGE_FULL), LogResult.describe(fullResult),
                    "seed " + seed + ": the append that found the disk full");
                assertTrue(acknowledged.size() > 100, "seed " + seed + ": appends before the disk was full: " +
                    acknowledged.size());
                assertTrue(store.stats().allocationFailures() >= 1, "seed " + seed);
                beforeFull = acknowledged.size();
                for (final byte[] payload : acknowledged.values())
                {
                    bytesBeforeFull += payload.length;
                }

                // Not a byte left, not even for a checkpoint's temp file.
                Tmpfs.fill(lastBytes);
                assertEquals(0, disk.usableBytes(), "seed " + seed + ": the disk is full");
                assertStorageFull(store, seed);
                assertEveryRecordReadsBack(store, acknowledged, seed, "on the full disk");
            }
            assertTrue(Files.size(config.directory().resolve(Checkpoint.FILE_NAME)) > 0, "seed " + seed);

            try (LogStore store = LogStore.open(config))
            {
                assertEveryRecordReadsBack(store, acknowledged, seed, "reopened on the full disk");
                assertStorageFull(store, seed);

                Files.delete(filler);
                Files.delete(lastBytes);
                final byte[] after = LogTestSupport.payload(seed ^ 0x5EED, MAX_PAYLOAD);
                final long offset = store.appendDurableAndWait(after);
                assertTrue(offset >= 0, "seed " + seed + ": a durable append once space is freed: " +
                    LogResult.describe(offset));
                acknowledged.put(offset, after);
                final int more = appendUntilRefused(store, seed + 1, acknowledged, 200);
                assertEquals(0, more, "seed " + seed + ": 200 appends after space was freed: " +
                    LogResult.describe(more));
                assertEveryRecordReadsBack(store, acknowledged, seed, "after space was freed");
            }
            // The store that filled the disk and the one reopened on it each met it once; thousands of refusals.
            assertEquals(2, events.count("WARNING log " + config.directory() + ": disk full: ",
                "; appends answer STORAGE_FULL until space is freed"), events.dump());
            assertEquals(1, events.count("INFO log " + config.directory() + ": disk has room again: segment ",
                " created, appends resume"), events.dump());
            System.out.println("RealFullDiskIT: " + (DISK_BYTES >> 20) + " MiB tmpfs, " + (SEGMENT >> 20) +
                " MiB segments, " + beforeFull + " appends (" + bytesBeforeFull + " payload bytes) acknowledged, then " +
                LogResult.describe(fullResult) + "; reopened on the full disk; " + acknowledged.size() +
                " records read back after space was freed");
        }
    }

    private static int appendUntilRefused(final LogStore store, final long seed, final Map<Long, byte[]> acknowledged)
        throws InterruptedException
    {
        return appendUntilRefused(store, seed, acknowledged, 100_000);
    }

    /**
     * Appends seeded payloads, every fourth durably, until one is refused or {@code limit} went in.
     *
     * @return the refusal, or 0.
     */
    private static int appendUntilRefused(
        final LogStore store, final long seed, final Map<Long, byte[]> acknowledged, final int limit)
        throws InterruptedException
    {
        for (int i = 0; i < limit; i++)
        {
            final byte[] payload = LogTestSupport.payload(seed * 31 + i, MAX_PAYLOAD);
            final long offset = i % 4 == 3 ? store.appendDurableAndWait(payload) : LogAppends.append(store, payload);
            if (offset < 0)
            {
                return (int)offset;
            }
            acknowledged.put(offset, payload);
        }
        return 0;
    }

    private static void assertStorageFull(final LogStore store, final long seed) throws InterruptedException
    {
        final byte[] payload = LogTestSupport.payload(seed, MAX_PAYLOAD);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(LogResult.describe(LogResult.STORAGE_FULL),
                LogResult.describe(LogAppends.append(store, payload)), "seed " + seed + ": append on the full disk");
            assertEquals(LogResult.describe(LogResult.STORAGE_FULL),
                LogResult.describe(store.appendDurableAndWait(payload)), "seed " + seed + ": durable append");
        }
    }

    private static void assertEveryRecordReadsBack(
        final LogStore store, final Map<Long, byte[]> acknowledged, final long seed, final String when)
    {
        for (final Map.Entry<Long, byte[]> entry : acknowledged.entrySet())
        {
            final RecordView view = new RecordView();
            final int result = store.read(entry.getKey(), view);
            assertEquals("OK", LogResult.describe(result),
                "seed " + seed + ", " + when + ": read at " + entry.getKey());
            assertTrue(Arrays.equals(entry.getValue(), view.toByteArray()),
                "seed " + seed + ", " + when + ": payload at " + entry.getKey());
        }
    }
}
