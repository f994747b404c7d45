package io.metrodb.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static io.metrodb.log.LogTestSupport.payload;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class BadReadOffsetTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveDistinctErrorsForEveryKindOfBadOffset()
    {
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            final long first = LogAppends.append(store, new byte[100]);
            final long second = LogAppends.append(store, new byte[]{ 1 });
            final RecordView view = new RecordView();

            assertEquals(100, store.read(first, view));
            assertEquals(LogResult.BAD_OFFSET, store.read(-8, view));
            assertEquals(LogResult.BAD_OFFSET, store.read(Long.MIN_VALUE, view));
            assertEquals(LogResult.BAD_OFFSET, store.read(first + 3, view));
            assertEquals(LogResult.NOT_A_RECORD, store.read(first + 8, view));
            assertEquals(LogResult.NOT_A_RECORD, store.read(first + RecordHeader.HEADER_LENGTH, view));
            assertEquals(LogResult.PAST_TAIL, store.read(store.tailPosition(), view));
            assertEquals(LogResult.PAST_TAIL, store.read(Long.MAX_VALUE & ~7L, view));
            assertEquals(LogResult.PAST_TAIL, store.read(10L * LogTestSupport.SMALL_SEGMENT, view));
            assertEquals(1, store.read(second, view));
            assertTrue(store.stats().readErrors() >= 8);
        }
    }

    @Test
    void shouldNeverThrowOrReturnGarbageForRandomOffsets()
    {
        final long seed = LogTestSupport.seed("shouldNeverThrowOrReturnGarbageForRandomOffsets");
        final SplittableRandom random = new SplittableRandom(seed);
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            final List<Long> offsets = new ArrayList<>();
            final Set<Long> valid = new HashSet<>();
            for (int i = 0; i < 2_000; i++)
            {
                // payloads that embed record-looking bytes: a copied header must not validate elsewhere
                final byte[] bytes = payload(seed + i, 400);
                if (i > 0 && bytes.length > 40)
                {
                    final byte[] previous = store.readBytes(offsets.get(i - 1));
                    System.arraycopy(previous, 0, bytes, 8, Math.min(previous.length, bytes.length - 8));
                }
                final long offset = LogAppends.append(store, bytes);
                offsets.add(offset);
                valid.add(offset);
            }

            final long tail = store.tailPosition();
            final RecordView view = new RecordView();
            final ByteBuf dst = Unpooled.buffer(512);
            try
            {
                for (int i = 0; i < 200_000; i++)
                {
                    final long offset;
                    switch (random.nextInt(5))
                    {
                        case 0: offset = random.nextLong(); break;
                        case 1: offset = -random.nextLong(1, Long.MAX_VALUE); break;
                        case 2: offset = tail + random.nextLong(0, 1L << 40); break;
                        case 3: offset = offsets.get(random.nextInt(offsets.size())) + random.nextInt(1, 400); break;
                        default: offset = random.nextLong(0, tail) & ~7L; break;
                    }

                    final int result = store.read(offset, view);
                    dst.clear();
                    final int copied = store.read(offset, dst);
                    assertEquals(result, copied, "read kinds disagree at " + offset);
                    if (result >= 0)
                    {
                        if (!valid.contains(offset))
                        {
                            fail("garbage read at " + offset + " (seed " + seed + ")");
                        }
                        assertEquals(view.offset(), offset);
                    }
                    else if (offset < 0 || (offset & 7) != 0)
                    {
                        assertEquals(LogResult.BAD_OFFSET, result);
                    }
                    else if (offset >= tail)
                    {
                        assertEquals(LogResult.PAST_TAIL, result);
                    }
                    else
                    {
                        assertEquals(LogResult.NOT_A_RECORD, result, "at " + offset + " seed " + seed);
                    }

                    final long scanned = store.scan(offset, 2, (o, b, index, length) -> valid.contains(o));
                    assertTrue(scanned >= 0 || scanned == LogResult.BAD_OFFSET || scanned == LogResult.PAST_TAIL,
                        "scan at " + offset + ": " + LogResult.describe(scanned));
                }
            }
            finally
            {
                dst.release();
            }
        }
    }
}
