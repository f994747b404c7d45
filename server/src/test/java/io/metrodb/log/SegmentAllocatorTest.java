package io.metrodb.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page-cache prefill never holds up an appender: a segment an appender waits for at rollover is handed
 * over without (the rest of) its prefill, while one created at open or ahead of time is prefilled whole.
 * Needs the foreign linker (posix_fallocate), which the build's test JVM enables.
 */
class SegmentAllocatorTest
{
    private static final int SEGMENT_LENGTH = 1 << 20;
    private static final int PREFILL = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldPrefillSegmentsCreatedAtOpenOrAheadAndNotOneAnAppenderWaitsFor()
    {
        assertTrue(Preallocator.prefills(PREFILL), "the test JVM runs with the foreign linker");
        final LogStats stats = new LogStats(SEGMENT_LENGTH);
        try (SegmentAllocator allocator = new SegmentAllocator(dir, SEGMENT_LENGTH, 0, 0, stats, PREFILL))
        {
            try (Segment first = allocator.acquire(0))
            {
                assertNotNull(first);
                assertEquals(0, stats.prefillsCut(), "created at open: prefilled whole");

                allocator.prepareAsync(1);
                assertEquals(1, allocator.doWork(), "prepared ahead");
                assertTrue(Files.exists(SegmentFiles.segmentPath(dir, 1)));
                try (Segment second = allocator.acquireAtRollover(1))
                {
                    assertNotNull(second);
                    assertEquals(1, second.index());
                    assertEquals(0, stats.prefillsCut(), "prepared before the appender came: prefilled whole");
                }

                try (Segment third = allocator.acquireAtRollover(2))
                {
                    assertNotNull(third);
                    assertEquals(2, third.index());
                    assertEquals(1, stats.prefillsCut(), "created while an appender waited: no prefill");
                    assertTrue(third.isZeroFrom(0));
                }
            }
        }
        assertEquals(3, stats.segmentFiles());
    }
}
