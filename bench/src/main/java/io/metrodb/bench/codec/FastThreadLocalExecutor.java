package io.metrodb.bench.codec;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH worker pool ({@code -Djmh.executor=CUSTOM -Djmh.executor.class=...}) whose threads are Netty
 * {@code FastThreadLocalThread}s, as the event loop threads that run our handlers are. Netty 4.2's
 * {@code Recycler} pools objects (the retained slices {@code FrameDecoder} emits among them) only on such
 * threads; on a plain JMH thread every slice would be a fresh allocation that production never makes.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor
{
    /**
     * @param maxThreads worker threads JMH asks for.
     * @param prefix     thread name prefix JMH chooses.
     */
    public FastThreadLocalExecutor(final int maxThreads, final String prefix)
    {
        super(maxThreads, maxThreads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
            new DefaultThreadFactory(prefix, true));
    }
}
