package io.metrodb.log;

import io.metrodb.protocol.testing.TestSeed;
import io.metrodb.testing.Await;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

final class LogTestSupport
{
    static final int SMALL_SEGMENT = 64 * 1024;

    private LogTestSupport()
    {
    }

    static LogConfig smallConfig(final Path directory)
    {
        return new LogConfig()
            .directory(directory)
            .segmentLength(SMALL_SEGMENT)
            .maxEntryLength(8 * 1024)
            .backgroundForceIntervalMs(20)
            .checkpointIntervalMs(50);
    }

    /**
     * Deterministic payload for a seed: length in [0, maxLength], bytes from the seed.
     */
    static byte[] payload(final long seed, final int maxLength)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }

    static void assertReadsBack(final LogStore store, final long offset, final byte[] expected)
    {
        final RecordView view = new RecordView();
        final int result = store.read(offset, view);
        if (result < 0)
        {
            fail("read at " + offset + " failed: " + LogResult.describe(result));
        }
        assertArrayEquals(expected, view.toByteArray(), () -> "payload at " + offset + " " +
            Arrays.toString(Arrays.copyOf(view.toByteArray(), Math.min(16, view.length()))));
    }

    /**
     * @return the seed from {@code -Dlogd.seed} (else {@code -Dmetrodb.seed}, else fresh), printed with the name.
     */
    static long seed(final String testName)
    {
        return TestSeed.resolve("logd.seed", testName).value();
    }

    static void awaitTrue(final BooleanSupplier condition, final long timeoutMs, final String message)
        throws Exception
    {
        Await.until(message, timeoutMs, condition::getAsBoolean);
    }
}
