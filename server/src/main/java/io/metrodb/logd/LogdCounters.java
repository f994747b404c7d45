package io.metrodb.logd;

import io.metrodb.server.ConnectionCounters;
import io.metrodb.server.counters.CountersFile;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.function.ObjLongConsumer;

/**
 * The logd server's own counters, in its counters file (the store keeps its own in
 * {@link io.metrodb.log.LogStats}). Bumped by any event-loop thread, rarely (errors, mond's heartbeats), so with
 * an atomic increment.
 */
public final class LogdCounters
{
    final AtomicCounter badRequests;
    final AtomicCounter appendErrors;
    final AtomicCounter readErrors;
    final AtomicCounter heartbeats;
    private final AtomicCounter[] all = new AtomicCounter[LogdCounter.values().length];
    private final ConnectionCounters connections;

    /**
     * Counters in memory only (tests).
     */
    public LogdCounters()
    {
        this(CountersFile.inMemory("logd").countersManager());
    }

    /**
     * @param manager allocates one counter per {@link LogdCounter}, in its order.
     */
    public LogdCounters(final CountersManager manager)
    {
        for (final LogdCounter counter : LogdCounter.values())
        {
            all[counter.ordinal()] = manager.newCounter(counter.infoName(), LogdCounter.TYPE_ID);
        }
        badRequests = all[LogdCounter.SERVER_BAD_REQUESTS.ordinal()];
        appendErrors = all[LogdCounter.SERVER_APPEND_ERRORS.ordinal()];
        readErrors = all[LogdCounter.SERVER_READ_ERRORS.ordinal()];
        heartbeats = all[LogdCounter.SERVER_HEARTBEATS.ordinal()];
        connections = new ConnectionCounters(all[LogdCounter.SERVER_CONNECTIONS_OPEN.ordinal()],
            all[LogdCounter.SERVER_CONNECTIONS_REFUSED.ordinal()], all[LogdCounter.SERVER_HANDSHAKE_TIMEOUTS.ordinal()],
            all[LogdCounter.SERVER_FRAME_TIMEOUTS.ordinal()], all[LogdCounter.SERVER_FRAME_BUDGET_REFUSALS.ordinal()],
            all[LogdCounter.SERVER_READ_PAUSES.ordinal()]);
    }

    /**
     * @return the server edge's connection counters (connections open, refused, timed out, ...).
     */
    public ConnectionCounters connections()
    {
        return connections;
    }

    /**
     * @return the value of one counter.
     */
    public long get(final LogdCounter counter)
    {
        return all[counter.ordinal()].get();
    }

    public long badRequests()
    {
        return badRequests.get();
    }

    public long appendErrors()
    {
        return appendErrors.get();
    }

    public long readErrors()
    {
        return readErrors.get();
    }

    public long heartbeats()
    {
        return heartbeats.get();
    }

    /**
     * Visits each counter by name (the names INFO shows), in INFO's order.
     */
    public void forEach(final ObjLongConsumer<String> consumer)
    {
        for (final LogdCounter counter : LogdCounter.values())
        {
            consumer.accept(counter.infoName(), all[counter.ordinal()].get());
        }
    }
}
