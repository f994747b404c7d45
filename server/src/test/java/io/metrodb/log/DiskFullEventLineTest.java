package io.metrodb.log;

import io.metrodb.testing.EventLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.metrodb.log.LogTestSupport.SMALL_SEGMENT;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk is one event line however many appends it refuses (the byte budget stands in for the device).
 */
class DiskFullEventLineTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLogAFullDiskOnceForEveryAppendItRefuses() throws Exception
    {
        final byte[] bytes = new byte[4000];
        try (EventLines events = EventLines.capture();
            LogStore store = LogStore.open(smallConfig(dir).maxTotalBytes(2L * SMALL_SEGMENT)))
        {
            int appended = 0;
            while (LogAppends.append(store, bytes) >= 0)
            {
                appended++;
                assertTrue(appended < 100, "budget not enforced");
            }
            assertEquals(0, events.count("disk has room again"), events.dump());
            final int before = events.allRecords();
            for (int i = 0; i < 1_000; i++)
            {
                assertEquals(LogResult.STORAGE_FULL, LogAppends.append(store, bytes));
            }
            assertEquals(LogResult.STORAGE_FULL, store.appendDurableAndWait(bytes));
            assertTrue(store.stats().allocationFailures() >= 2, "the appends met the full disk again");
            assertEquals(1, events.count("WARNING log " + dir + ": disk full: segment 2 would exceed maxTotalBytes " +
                2L * SMALL_SEGMENT + "; appends answer STORAGE_FULL until space is freed"), events.dump());
            assertTrue(events.allRecords() - before <= 1, "no line per refused append: " + events.allSince(before));
        }
    }
}
