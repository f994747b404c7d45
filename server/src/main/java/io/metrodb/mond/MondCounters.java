package io.metrodb.mond;

import io.metrodb.server.ConnectionCounters;
import io.metrodb.server.counters.CountersFile;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.function.ObjLongConsumer;

/**
 * mond's counters, in its counters file. Written and read on mond's one event-loop thread (ordered stores,
 * {@code incrementRelease}), read from outside by {@code bin/metrodb stat}.
 */
final class MondCounters
{
    final AtomicCounter heartbeatsSent;
    final AtomicCounter heartbeatsAnswered;
    final AtomicCounter badAnswers;
    final AtomicCounter viewChanges;
    final AtomicCounter viewsPushed;
    final AtomicCounter probesSent;
    final AtomicCounter probesFailed;
    final AtomicCounter probesRefused;
    final AtomicCounter keysChecked;
    final AtomicCounter badReplicasFound;
    final AtomicCounter replicasUnchecked;
    final AtomicCounter scrubPasses;
    final AtomicCounter scrubRests;
    final AtomicCounter sweepsStarted;
    final AtomicCounter sweepsCompleted;
    final AtomicCounter repairsSent;
    final AtomicCounter repairsDone;
    final AtomicCounter repairsStale;
    final AtomicCounter repairsFailed;
    final AtomicCounter dutyCycles;
    private final AtomicCounter[] all = new AtomicCounter[MondCounter.values().length];
    private final ConnectionCounters connections;

    /**
     * Counters in memory only (tests).
     */
    MondCounters()
    {
        this(CountersFile.inMemory("mond").countersManager());
    }

    /**
     * @param manager allocates one counter per {@link MondCounter}, in its order.
     */
    MondCounters(final CountersManager manager)
    {
        for (final MondCounter counter : MondCounter.values())
        {
            all[counter.ordinal()] = manager.newCounter(counter.infoName(), MondCounter.TYPE_ID);
        }
        connections = new ConnectionCounters(all[MondCounter.CONNECTIONS_OPEN.ordinal()],
            all[MondCounter.CONNECTIONS_REFUSED.ordinal()], all[MondCounter.HANDSHAKE_TIMEOUTS.ordinal()],
            all[MondCounter.FRAME_TIMEOUTS.ordinal()], all[MondCounter.FRAME_BUDGET_REFUSALS.ordinal()],
            all[MondCounter.READ_PAUSES.ordinal()]);
        heartbeatsSent = all[MondCounter.HEARTBEATS_SENT.ordinal()];
        heartbeatsAnswered = all[MondCounter.HEARTBEATS_ANSWERED.ordinal()];
        badAnswers = all[MondCounter.BAD_ANSWERS.ordinal()];
        viewChanges = all[MondCounter.VIEW_CHANGES.ordinal()];
        viewsPushed = all[MondCounter.VIEWS_PUSHED.ordinal()];
        probesSent = all[MondCounter.PROBES_SENT.ordinal()];
        probesFailed = all[MondCounter.PROBES_FAILED.ordinal()];
        probesRefused = all[MondCounter.PROBES_REFUSED.ordinal()];
        keysChecked = all[MondCounter.KEYS_CHECKED.ordinal()];
        badReplicasFound = all[MondCounter.BAD_REPLICAS_FOUND.ordinal()];
        replicasUnchecked = all[MondCounter.REPLICAS_UNCHECKED.ordinal()];
        scrubPasses = all[MondCounter.SCRUB_PASSES.ordinal()];
        scrubRests = all[MondCounter.SCRUB_RESTS.ordinal()];
        sweepsStarted = all[MondCounter.SWEEPS_STARTED.ordinal()];
        sweepsCompleted = all[MondCounter.SWEEPS_COMPLETED.ordinal()];
        repairsSent = all[MondCounter.REPAIRS_SENT.ordinal()];
        repairsDone = all[MondCounter.REPAIRS_DONE.ordinal()];
        repairsStale = all[MondCounter.REPAIRS_STALE.ordinal()];
        repairsFailed = all[MondCounter.REPAIRS_FAILED.ordinal()];
        dutyCycles = all[MondCounter.DUTY_CYCLES.ordinal()];
    }

    /**
     * Visits each counter by name (the names INFO shows), in INFO's order.
     */
    void forEach(final ObjLongConsumer<String> consumer)
    {
        for (final MondCounter counter : MondCounter.values())
        {
            consumer.accept(counter.infoName(), all[counter.ordinal()].get());
        }
    }

    /**
     * @return the server edge's connection counters (connections open, refused, timed out, ...).
     */
    ConnectionCounters connections()
    {
        return connections;
    }

    /**
     * @return the value of one counter.
     */
    long get(final MondCounter counter)
    {
        return all[counter.ordinal()].get();
    }
}
