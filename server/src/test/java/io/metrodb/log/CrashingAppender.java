package io.metrodb.log;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child process for {@link CrashRecoveryIT}: durable appends from several threads, printing
 * {@code ACK <offset> <payloadSeed> END} after each acknowledgement, until killed or its time runs out.
 */
public final class CrashingAppender
{
    static final int THREADS = 4;
    static final int MAX_PAYLOAD = 2_000;
    private static final long MAX_RUN_MS = 30_000;

    private CrashingAppender()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path directory = Path.of(args[0]);
        final long seedBase = Long.parseLong(args[1]);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_RUN_MS);
        try (LogStore store = LogStore.open(LogTestSupport.smallConfig(directory)))
        {
            final Thread[] threads = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++)
            {
                final long threadSeed = seedBase + t * 1_000_000_000L;
                threads[t] = new Thread(() ->
                {
                    try
                    {
                        for (long i = 0; System.nanoTime() - deadlineNs < 0; i++)
                        {
                            final long offset = store.appendDurableAndWait(LogTestSupport.payload(threadSeed + i, MAX_PAYLOAD));
                            if (offset < 0)
                            {
                                System.out.println("ERROR " + LogResult.describe(offset));
                                return;
                            }
                            System.out.println("ACK " + offset + " " + (threadSeed + i) + " END");
                        }
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                });
                threads[t].start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
        }
    }
}
