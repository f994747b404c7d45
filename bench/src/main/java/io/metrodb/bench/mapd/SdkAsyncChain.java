package io.metrodb.bench.mapd;

import io.metrodb.client.MetroClient;
import io.metrodb.client.WriteResult;
import org.HdrHistogram.Histogram;

import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;

/**
 * The round-trip loop of {@link SdkLatencyHarness}'s {@code sdk-async} rows: GET then SET, async calls, each issued by the previous one's completion (on the client's I/O thread).
 */
final class SdkAsyncChain
{
    final Histogram[] histograms = {
        new Histogram(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3),
        new Histogram(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3) };
    final CountDownLatch done = new CountDownLatch(1);
    private final MetroClient client;
    private final byte[][] keys;
    private final byte[] value;
    private final int warmup;
    private final int total;
    private final BiConsumer<byte[], Throwable> onGet = this::onGet;
    private final BiConsumer<WriteResult, Throwable> onSet = this::onSet;
    private long random = MapdKeys.mix(13);
    private long sentNs;
    private int iteration;
    long startNs;
    long endNs;
    long errors;

    /**
     * @param keys     the preloaded keys, picked at random.
     * @param value    what each SET writes; a GET must read back as many bytes.
     * @param warmup   unrecorded GET+SET pairs first.
     * @param measured recorded GET+SET pairs after them.
     */
    SdkAsyncChain(final MetroClient client, final byte[][] keys, final byte[] value, final int warmup,
        final int measured)
    {
        this.client = client;
        this.keys = keys;
        this.value = value;
        this.warmup = warmup;
        this.total = warmup + measured;
    }

    void next()
    {
        if (iteration == warmup)
        {
            startNs = System.nanoTime();
        }
        random = MapdKeys.next(random);
        sentNs = System.nanoTime();
        client.getAsync(keys[(int)MapdKeys.index(random, keys.length)]).whenComplete(onGet);
    }

    private void onGet(final byte[] read, final Throwable failure)
    {
        record(0);
        if (failure != null || read == null || read.length != value.length)
        {
            errors++;
        }
        random = MapdKeys.next(random);
        sentNs = System.nanoTime();
        client.setAsync(keys[(int)MapdKeys.index(random, keys.length)], value).whenComplete(onSet);
    }

    private void onSet(final WriteResult result, final Throwable failure)
    {
        record(1);
        if (failure != null)
        {
            errors++;
        }
        if (++iteration == total)
        {
            endNs = System.nanoTime();
            done.countDown();
        }
        else
        {
            next();
        }
    }

    private void record(final int op)
    {
        if (iteration >= warmup)
        {
            histograms[op].recordValue(System.nanoTime() - sentNs);
        }
    }
}
