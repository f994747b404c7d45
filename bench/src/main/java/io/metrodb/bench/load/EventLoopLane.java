package io.metrodb.bench.load;

import io.netty.channel.EventLoop;

import java.util.concurrent.TimeUnit;

/**
 * A {@link Lane} on a Netty event loop and {@link System#nanoTime()}.
 */
final class EventLoopLane implements Lane
{
    private final EventLoop loop;

    EventLoopLane(final EventLoop loop)
    {
        this.loop = loop;
    }

    @Override
    public long nanoTime()
    {
        return System.nanoTime();
    }

    @Override
    public void schedule(final Runnable task, final long atNs)
    {
        final long delayNs = atNs - System.nanoTime();
        if (delayNs <= 0)
        {
            loop.execute(task);
        }
        else
        {
            loop.schedule(task, delayNs, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void execute(final Runnable task)
    {
        loop.execute(task);
    }
}
