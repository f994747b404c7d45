package io.metrodb.mapd;

import io.metrodb.server.ConnectionCounters;
import io.metrodb.server.counters.CountersFile;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.function.ObjLongConsumer;

/**
 * The mapd's counters, in its counters file. Written by the data-path thread only, with ordered stores
 * ({@code incrementRelease}: no lock-prefixed instruction); read by INFO on that thread and by
 * {@code bin/metrodb stat} from outside.
 */
public final class MapdCounters
{
    final AtomicCounter gets;
    final AtomicCounter getsNotFound;
    final AtomicCounter sets;
    final AtomicCounter setSafes;
    final AtomicCounter dels;
    final AtomicCounter exists;
    final AtomicCounter writesFailed;
    final AtomicCounter notEnoughReplicas;
    final AtomicCounter appendRetries;
    final AtomicCounter writesWaitedForLogds;
    final AtomicCounter replicaReadFailures;
    final AtomicCounter badReplicas;
    final AtomicCounter readsUnreadable;
    final AtomicCounter badRequests;
    final AtomicCounter journalErrors;
    final AtomicCounter forceFailures;
    final AtomicCounter forceReappends;
    final AtomicCounter heartbeats;
    final AtomicCounter probes;
    final AtomicCounter probesRefused;
    final AtomicCounter probeKeysChecked;
    final AtomicCounter probeBadReplicas;
    final AtomicCounter repairs;
    final AtomicCounter repairsDone;
    final AtomicCounter repairsPartial;
    final AtomicCounter repairsNoop;
    final AtomicCounter repairsStale;
    final AtomicCounter repairsFailed;
    final AtomicCounter repairsRefused;
    final AtomicCounter repairCopies;
    final AtomicCounter refusedStopping;
    final AtomicCounter syncsFailed;
    final AtomicCounter localReads;
    final AtomicCounter localReadFallbacks;
    final AtomicCounter localReadFallbacksMissing;
    final AtomicCounter localReadFallbacksShort;
    final AtomicCounter localReadFallbacksBadRecord;
    final AtomicCounter localReadFallbacksMismatch;
    final AtomicCounter localReadFallbacksIoError;
    final AtomicCounter localReadsTooLarge;
    private final AtomicCounter[] all = new AtomicCounter[MapdCounter.values().length];
    private final ConnectionCounters connections;

    /**
     * Counters in memory only (tests).
     */
    public MapdCounters()
    {
        this(CountersFile.inMemory("mapd").countersManager());
    }

    /**
     * @param manager allocates one counter per {@link MapdCounter}, in its order.
     */
    public MapdCounters(final CountersManager manager)
    {
        for (final MapdCounter counter : MapdCounter.values())
        {
            all[counter.ordinal()] = manager.newCounter(counter.infoName(), MapdCounter.TYPE_ID);
        }
        connections = new ConnectionCounters(all[MapdCounter.CONNECTIONS_OPEN.ordinal()],
            all[MapdCounter.CONNECTIONS_REFUSED.ordinal()], all[MapdCounter.HANDSHAKE_TIMEOUTS.ordinal()],
            all[MapdCounter.FRAME_TIMEOUTS.ordinal()], all[MapdCounter.FRAME_BUDGET_REFUSALS.ordinal()],
            all[MapdCounter.READ_PAUSES.ordinal()]);
        gets = all[MapdCounter.GETS.ordinal()];
        getsNotFound = all[MapdCounter.GETS_NOT_FOUND.ordinal()];
        sets = all[MapdCounter.SETS.ordinal()];
        setSafes = all[MapdCounter.SETSAFES.ordinal()];
        dels = all[MapdCounter.DELS.ordinal()];
        exists = all[MapdCounter.EXISTS.ordinal()];
        writesFailed = all[MapdCounter.WRITES_FAILED.ordinal()];
        notEnoughReplicas = all[MapdCounter.NOT_ENOUGH_REPLICAS.ordinal()];
        appendRetries = all[MapdCounter.APPEND_RETRIES.ordinal()];
        writesWaitedForLogds = all[MapdCounter.WRITES_WAITED_FOR_LOGDS.ordinal()];
        replicaReadFailures = all[MapdCounter.REPLICA_READ_FAILURES.ordinal()];
        badReplicas = all[MapdCounter.BAD_REPLICAS.ordinal()];
        readsUnreadable = all[MapdCounter.READS_UNREADABLE.ordinal()];
        badRequests = all[MapdCounter.BAD_REQUESTS.ordinal()];
        journalErrors = all[MapdCounter.JOURNAL_ERRORS.ordinal()];
        forceFailures = all[MapdCounter.FORCE_FAILURES.ordinal()];
        forceReappends = all[MapdCounter.FORCE_REAPPENDS.ordinal()];
        heartbeats = all[MapdCounter.HEARTBEATS.ordinal()];
        probes = all[MapdCounter.PROBES.ordinal()];
        probesRefused = all[MapdCounter.PROBES_REFUSED.ordinal()];
        probeKeysChecked = all[MapdCounter.PROBE_KEYS_CHECKED.ordinal()];
        probeBadReplicas = all[MapdCounter.PROBE_BAD_REPLICAS.ordinal()];
        repairs = all[MapdCounter.REPAIRS.ordinal()];
        repairsDone = all[MapdCounter.REPAIRS_DONE.ordinal()];
        repairsPartial = all[MapdCounter.REPAIRS_PARTIAL.ordinal()];
        repairsNoop = all[MapdCounter.REPAIRS_NOOP.ordinal()];
        repairsStale = all[MapdCounter.REPAIRS_STALE.ordinal()];
        repairsFailed = all[MapdCounter.REPAIRS_FAILED.ordinal()];
        repairsRefused = all[MapdCounter.REPAIRS_REFUSED.ordinal()];
        repairCopies = all[MapdCounter.REPAIR_COPIES.ordinal()];
        refusedStopping = all[MapdCounter.REFUSED_STOPPING.ordinal()];
        syncsFailed = all[MapdCounter.SYNCS_FAILED.ordinal()];
        localReads = all[MapdCounter.LOCAL_READS_SERVED.ordinal()];
        localReadFallbacks = all[MapdCounter.LOCAL_READ_FALLBACKS.ordinal()];
        localReadFallbacksMissing = all[MapdCounter.LOCAL_READ_FALLBACKS_MISSING.ordinal()];
        localReadFallbacksShort = all[MapdCounter.LOCAL_READ_FALLBACKS_SHORT.ordinal()];
        localReadFallbacksBadRecord = all[MapdCounter.LOCAL_READ_FALLBACKS_BAD_RECORD.ordinal()];
        localReadFallbacksMismatch = all[MapdCounter.LOCAL_READ_FALLBACKS_MISMATCH.ordinal()];
        localReadFallbacksIoError = all[MapdCounter.LOCAL_READ_FALLBACKS_IO_ERROR.ordinal()];
        localReadsTooLarge = all[MapdCounter.LOCAL_READS_TOO_LARGE.ordinal()];
    }

    /**
     * @return GETs answered from a same-host logd's segment file.
     */
    public long localReads()
    {
        return localReads.get();
    }

    /**
     * @return local reads that did not verify and went to the network instead.
     */
    public long localReadFallbacks()
    {
        return localReadFallbacks.get();
    }

    public long gets()
    {
        return gets.get();
    }

    public long badReplicas()
    {
        return badReplicas.get();
    }

    public long replicaReadFailures()
    {
        return replicaReadFailures.get();
    }

    public long notEnoughReplicas()
    {
        return notEnoughReplicas.get();
    }

    public long appendRetries()
    {
        return appendRetries.get();
    }

    public long writesWaitedForLogds()
    {
        return writesWaitedForLogds.get();
    }

    public long probes()
    {
        return probes.get();
    }

    public long repairsDone()
    {
        return repairsDone.get();
    }

    public long repairsNoop()
    {
        return repairsNoop.get();
    }

    public long repairCopies()
    {
        return repairCopies.get();
    }

    /**
     * Visits each counter by name (the names INFO shows), in INFO's order.
     */
    public void forEach(final ObjLongConsumer<String> consumer)
    {
        for (final MapdCounter counter : MapdCounter.values())
        {
            consumer.accept(counter.infoName(), all[counter.ordinal()].get());
        }
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
    public long get(final MapdCounter counter)
    {
        return all[counter.ordinal()].get();
    }
}
