package io.metrodb.mapd;

import java.util.function.ObjLongConsumer;

/**
 * The mapd's counters. Written by the data-path thread only (plain fields, no atomics); read by INFO on that
 * same thread, and by tests after the fact.
 */
public final class MapdCounters
{
    long gets;
    long getsNotFound;
    long sets;
    long setSafes;
    long dels;
    long exists;
    long writesFailed;
    long notEnoughReplicas;
    long appendRetries;
    long replicaReadFailures;
    long badReplicas;
    long readsUnreadable;
    long badRequests;
    long journalErrors;
    /** Durable writes whose record a logd took (offset first) but then failed to force. */
    long forceFailures;
    long heartbeats;
    long probes;
    long probesRefused;
    long probeKeysChecked;
    long probeBadReplicas;
    long repairs;
    long repairsDone;
    long repairsPartial;
    long repairsNoop;
    long repairsStale;
    long repairsFailed;
    long repairsRefused;
    long repairCopies;
    long refusedStopping;
    long syncsFailed;
    long localReads;
    long localReadFallbacks;
    long localReadFallbacksMissing;
    long localReadFallbacksShort;
    long localReadFallbacksBadRecord;
    long localReadFallbacksMismatch;
    long localReadFallbacksIoError;
    long localReadsTooLarge;

    /**
     * @return GETs answered from a same-host logd's segment file.
     */
    public long localReads()
    {
        return localReads;
    }

    /**
     * @return local reads that did not verify and went to the network instead.
     */
    public long localReadFallbacks()
    {
        return localReadFallbacks;
    }

    public long gets()
    {
        return gets;
    }

    public long badReplicas()
    {
        return badReplicas;
    }

    public long replicaReadFailures()
    {
        return replicaReadFailures;
    }

    public long notEnoughReplicas()
    {
        return notEnoughReplicas;
    }

    public long appendRetries()
    {
        return appendRetries;
    }

    public long probes()
    {
        return probes;
    }

    public long repairsDone()
    {
        return repairsDone;
    }

    public long repairsNoop()
    {
        return repairsNoop;
    }

    public long repairCopies()
    {
        return repairCopies;
    }

    /**
     * Visits each counter by name.
     */
    public void forEach(final ObjLongConsumer<String> consumer)
    {
        consumer.accept("gets", gets);
        consumer.accept("gets_not_found", getsNotFound);
        consumer.accept("sets", sets);
        consumer.accept("setsafes", setSafes);
        consumer.accept("dels", dels);
        consumer.accept("exists", exists);
        consumer.accept("writes_failed", writesFailed);
        consumer.accept("not_enough_replicas", notEnoughReplicas);
        consumer.accept("append_retries", appendRetries);
        consumer.accept("replica_read_failures", replicaReadFailures);
        consumer.accept("bad_replicas", badReplicas);
        consumer.accept("reads_unreadable", readsUnreadable);
        consumer.accept("bad_requests", badRequests);
        consumer.accept("journal_errors", journalErrors);
        consumer.accept("force_failures", forceFailures);
        consumer.accept("heartbeats", heartbeats);
        consumer.accept("probes", probes);
        consumer.accept("probes_refused", probesRefused);
        consumer.accept("probe_keys_checked", probeKeysChecked);
        consumer.accept("probe_bad_replicas", probeBadReplicas);
        consumer.accept("repairs", repairs);
        consumer.accept("repairs_done", repairsDone);
        consumer.accept("repairs_partial", repairsPartial);
        consumer.accept("repairs_noop", repairsNoop);
        consumer.accept("repairs_stale", repairsStale);
        consumer.accept("repairs_failed", repairsFailed);
        consumer.accept("repairs_refused", repairsRefused);
        consumer.accept("repair_copies", repairCopies);
        consumer.accept("refused_stopping", refusedStopping);
        consumer.accept("syncs_failed", syncsFailed);
        consumer.accept("local_reads_served", localReads);
        consumer.accept("local_read_fallbacks", localReadFallbacks);
        consumer.accept("local_read_fallbacks_missing", localReadFallbacksMissing);
        consumer.accept("local_read_fallbacks_short", localReadFallbacksShort);
        consumer.accept("local_read_fallbacks_bad_record", localReadFallbacksBadRecord);
        consumer.accept("local_read_fallbacks_mismatch", localReadFallbacksMismatch);
        consumer.accept("local_read_fallbacks_io_error", localReadFallbacksIoError);
        consumer.accept("local_reads_too_large", localReadsTooLarge);
    }
}
