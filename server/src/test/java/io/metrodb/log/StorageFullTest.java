package io.metrodb.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.metrodb.log.LogTestSupport.SMALL_SEGMENT;
import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageFullTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReturnStorageFullWhenNoSegmentCanBeCreatedAndKeepServingReads() throws Exception
    {
        final LogConfig config = smallConfig(dir).maxTotalBytes(2L * SMALL_SEGMENT);
        final byte[] bytes = new byte[4000];
        long lastOffset = -1;
        long result;
        try (LogStore store = LogStore.open(config))
        {
            int appended = 0;
            while ((result = LogAppends.append(store, bytes)) >= 0)
            {
                lastOffset = result;
                appended++;
                assertTrue(appended < 100, "budget not enforced");
            }
            assertEquals(LogResult.STORAGE_FULL, result);
            assertTrue(lastOffset >= SMALL_SEGMENT, "second segment was used");
            assertEquals(LogResult.STORAGE_FULL, LogAppends.append(store, bytes));
            assertEquals(LogResult.STORAGE_FULL, store.appendDurableAndWait(bytes));
            assertTrue(store.stats().allocationFailures() >= 1);
            assertEquals(2, store.stats().segmentFiles());
            assertReadsBack(store, lastOffset, bytes);
        }

        try (LogStore store = LogStore.open(config))
        {
            assertReadsBack(store, lastOffset, bytes);
            assertEquals(LogResult.STORAGE_FULL, LogAppends.append(store, bytes));
        }

        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            assertTrue(LogAppends.append(store, bytes) > lastOffset, "appends resume once space is available");
        }
    }
}
