package io.metrodb.mond;

import java.util.function.ObjLongConsumer;

/**
 * mond's counters. Written and read on mond's one event-loop thread only (plain fields, no atomics).
 */
final class MondCounters
{
    long heartbeatsSent;
    long heartbeatsAnswered;
    long badAnswers;
    long viewChanges;
    long viewsPushed;
    long probesSent;
    long probesFailed;
    long probesRefused;
    long keysChecked;
    long badReplicasFound;
    long replicasUnchecked;
    long scrubPasses;
    long scrubRests;
    long sweepsStarted;
    long sweepsCompleted;
    long repairsSent;
    long repairsDone;
    long repairsStale;
    long repairsFailed;
    long dutyCycles;

    /**
     * Visits each counter by name (the names INFO shows).
     */
    void forEach(final ObjLongConsumer<String> consumer)
    {
        consumer.accept("heartbeats_sent", heartbeatsSent);
        consumer.accept("heartbeats_answered", heartbeatsAnswered);
        consumer.accept("bad_answers", badAnswers);
        consumer.accept("view_changes", viewChanges);
        consumer.accept("views_pushed", viewsPushed);
        consumer.accept("probes_sent", probesSent);
        consumer.accept("probes_failed", probesFailed);
        consumer.accept("probes_refused", probesRefused);
        consumer.accept("keys_checked", keysChecked);
        consumer.accept("bad_replicas_found", badReplicasFound);
        consumer.accept("replicas_unchecked", replicasUnchecked);
        consumer.accept("scrub_passes", scrubPasses);
        consumer.accept("scrub_rests", scrubRests);
        consumer.accept("sweeps_started", sweepsStarted);
        consumer.accept("sweeps_completed", sweepsCompleted);
        consumer.accept("repairs_sent", repairsSent);
        consumer.accept("repairs_done", repairsDone);
        consumer.accept("repairs_stale", repairsStale);
        consumer.accept("repairs_failed", repairsFailed);
        consumer.accept("duty_cycles", dutyCycles);
    }
}
