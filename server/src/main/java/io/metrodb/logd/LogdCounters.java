package io.metrodb.logd;

import io.metrodb.log.LogStats;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.ObjLongConsumer;

/**
 * The logd server's own counters (the store keeps its own in {@link LogStats}).
 */
public final class LogdCounters
{
    final LongAdder badRequests = new LongAdder();
    final LongAdder appendErrors = new LongAdder();
    final LongAdder readErrors = new LongAdder();
    final LongAdder heartbeats = new LongAdder();

    public long badRequests()
    {
        return badRequests.sum();
    }

    public long appendErrors()
    {
        return appendErrors.sum();
    }

    public long readErrors()
    {
        return readErrors.sum();
    }

    public long heartbeats()
    {
        return heartbeats.sum();
    }

    /**
     * Visits each counter by name.
     */
    public void forEach(final ObjLongConsumer<String> consumer)
    {
        consumer.accept("server_bad_requests", badRequests());
        consumer.accept("server_append_errors", appendErrors());
        consumer.accept("server_read_errors", readErrors());
        consumer.accept("server_heartbeats", heartbeats());
    }
}
