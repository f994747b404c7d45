package io.metrodb.log;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogConfigTest
{
    @Test
    void shouldUseNamedDefaults()
    {
        final LogConfig config = new LogConfig().directory(Path.of("x")).validate();
        assertEquals(LogConfig.DEFAULT_SEGMENT_LENGTH, config.segmentLength());
        assertEquals(LogConfig.DEFAULT_MAX_ENTRY_LENGTH, config.maxEntryLength());
        assertEquals(LogConfig.DEFAULT_BACKGROUND_FORCE_INTERVAL_MS, config.backgroundForceIntervalMs());
        assertEquals(LogConfig.UNLIMITED, config.maxTotalBytes());
    }

    @Test
    void shouldCapDefaultMaxEntryBySegment()
    {
        final LogConfig config = new LogConfig().directory(Path.of("x")).segmentLength(4096).validate();
        assertEquals(4096 - RecordHeader.HEADER_LENGTH, config.maxEntryLength());
    }

    @Test
    void shouldReportEveryBadValueAtOnce()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new LogConfig()
            .segmentLength(5000)
            .backgroundForceIntervalMs(0)
            .checkpointIntervalMs(-1)
            .durableQueueCapacity(3)
            .validate());
        final String message = ex.getMessage();
        assertTrue(message.contains("directory must be set"), message);
        assertTrue(message.contains("segmentLength must be a power of two"), message);
        assertTrue(message.contains("backgroundForceIntervalMs must be > 0: 0"), message);
        assertTrue(message.contains("checkpointIntervalMs must be > 0: -1"), message);
        assertTrue(message.contains("durableQueueCapacity must be a power of two >= 2: 3"), message);
    }

    @Test
    void shouldRejectMaxEntryLargerThanSegmentMinusHeader()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new LogConfig()
            .directory(Path.of("x")).segmentLength(4096).maxEntryLength(4096 - RecordHeader.HEADER_LENGTH + 1).validate());
        assertTrue(ex.getMessage().contains("maxEntryLength must be in [0, segmentLength - 16 = 4080]"), ex.getMessage());
    }

    @Test
    void shouldRejectTotalBudgetBelowOneSegment()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new LogConfig()
            .directory(Path.of("x")).segmentLength(4096).maxTotalBytes(4095).validate());
        assertTrue(ex.getMessage().contains("maxTotalBytes"), ex.getMessage());
    }

    @Test
    void shouldAcceptPrefillOffOrAPowerOfTwoFromAPage()
    {
        assertEquals(0, new LogConfig().directory(Path.of("x")).prefillWriteLength(0).validate().prefillWriteLength());
        assertEquals(LogConfig.DEFAULT_PREFILL_WRITE_LENGTH,
            new LogConfig().directory(Path.of("x")).validate().prefillWriteLength());
        for (final int bad : new int[]{ -1, 1024, 5000 })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new LogConfig().directory(Path.of("x")).prefillWriteLength(bad).validate());
            assertTrue(ex.getMessage().contains("prefillWriteLength must be 0 or a power of two >= 4096: " + bad),
                ex.getMessage());
        }
    }

    @Test
    void shouldAcceptWriteBehindOffOrAPowerOfTwoFromAPage()
    {
        assertEquals(0, new LogConfig().directory(Path.of("x")).writeBehindLength(0).validate().writeBehindLength());
        assertEquals(LogConfig.DEFAULT_WRITE_BEHIND_LENGTH,
            new LogConfig().directory(Path.of("x")).validate().writeBehindLength());
        for (final int bad : new int[]{ -1, 1024, 3 << 20 })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new LogConfig().directory(Path.of("x")).writeBehindLength(bad).validate());
            assertTrue(ex.getMessage().contains("writeBehindLength must be 0 or a power of two >= 4096: " + bad),
                ex.getMessage());
        }
    }

    @Test
    void shouldRejectNegativeGroupCommitDelay()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new LogConfig().directory(Path.of("x")).groupCommitMaxDelayNs(-1).validate());
        assertTrue(ex.getMessage().contains("groupCommitMaxDelayNs must be >= 0: -1"), ex.getMessage());
    }
}
