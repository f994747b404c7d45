package io.metrodb.mond;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.server.EventLog;
import io.metrodb.server.EventRate;
import io.netty.buffer.ByteBuf;

/**
 * mond's three probe walkers and what happens when a walk of the grid wraps: {@code random} samples keys,
 * {@code scrub} walks the whole grid at its rate and rests until {@code scrubPassMinMs} after its pass started,
 * {@code sweep} walks it while a DOWN logd's keys are re-replicated, again if another logd's grace period expired
 * (or the pending repairs overflowed) during the pass; and the bad replicas the probes report, queued for repair.
 * Part of {@link MondAgent}'s duty cycle; its event-loop thread
 * only.
 */
final class ProbeWalkers implements ProbeWalker.PassListener
{
    final ProbeWalker random;
    final ProbeWalker scrub;
    final ProbeWalker sweep;

    private final MondAgent agent;
    private final MondCounters counters;
    private final RepairQueue repairs;
    private final RepairQueue.LogdStatus logdStatus;
    private final long scrubPassMinNs;
    private final EventRate corruptLines = new EventRate("mond: corrupt replica lines", 10, 1_000);
    private boolean sweepAgain;
    private long droppedAtSweepStart;

    ProbeWalkers(
        final MondAgent agent,
        final MondConfig config,
        final MondCounters counters,
        final RepairQueue repairs,
        final RepairQueue.LogdStatus logdStatus,
        final long scrubPassMinNs,
        final long nowNs)
    {
        this.agent = agent;
        this.logdStatus = logdStatus;
        this.counters = counters;
        this.repairs = repairs;
        this.scrubPassMinNs = scrubPassMinNs;
        this.random = new ProbeWalker("probe", agent, ProbeRequest.MODE_RANDOM, config.probeKeysPerSec(), null, nowNs);
        this.scrub = new ProbeWalker("scrub", agent, ProbeRequest.MODE_SCAN, config.scrubKeysPerSec(), this, nowNs);
        this.sweep = new ProbeWalker("sweep", agent, ProbeRequest.MODE_SCAN, config.repairsPerSec(), this, nowNs);
        this.sweep.active(false, nowNs);
    }

    /**
     * A logd's grace period expired: sweep the grid for its keys (once more after the current pass, if one runs).
     */
    void startSweep(final long nowNs)
    {
        if (sweep.isActive())
        {
            sweepAgain = true;
        }
        else
        {
            droppedAtSweepStart = repairs.dropped();
            sweep.active(true, nowNs);
            counters.sweepsStarted.incrementRelease();
        }
    }

    @Override
    public void onPassComplete(final ProbeWalker walker)
    {
        if (walker == scrub)
        {
            counters.scrubPasses.incrementRelease();
            final long nowNs = System.nanoTime();
            final long restUntilNs = scrub.passStartNs() + scrubPassMinNs;
            if (scrubPassMinNs > 0 && restUntilNs - nowNs > 0)
            {
                // The whole grid was checked within the period: check it again when the period is over, and
                // leave random samples of it until then too.
                scrub.rest(restUntilNs);
                random.rest(restUntilNs);
                counters.scrubRests.incrementRelease();
            }
            return;
        }
        if (sweepAgain || repairs.dropped() != droppedAtSweepStart)
        {
            // A logd passed its grace period during the pass, or the pending set overflowed: walk again.
            sweepAgain = false;
            droppedAtSweepStart = repairs.dropped();
            counters.sweepsStarted.incrementRelease();
        }
        else
        {
            sweep.active(false, System.nanoTime());
        }
        counters.sweepsCompleted.incrementRelease();
    }

    /**
     * The cluster changed (a node's state or id): what was checked before may have changed, so the scrub and the
     * random probes go on at their rates.
     */
    void endRests(final long nowNs)
    {
        scrub.endRest(nowNs);
        random.endRest(nowNs);
    }

    /**
     * A PROBE reported a bad replica: queue its repair, or count it as unchecked.
     *
     * @param at index of the bad replica in {@code frame}.
     */
    void onBadReplica(final MonitoredNode mapd, final ByteBuf frame, final int at, final long nowNs)
    {
        final int logdId = ProbeResponse.badLogdId(frame, at);
        final boolean fromDownLogd;
        switch (ProbeResponse.badReason(frame, at))
        {
            case StatusCodes.OFFSET_OUT_OF_RANGE, StatusCodes.NOT_A_RECORD, StatusCodes.CORRUPT_RECORD,
                StatusCodes.REPLICA_MISMATCH -> fromDownLogd = false;
            case StatusCodes.UNAVAILABLE ->
            {
                if (logdStatus.downForNs(logdId, nowNs) < 0)
                {
                    // The mapd cannot reach a logd that mond sees alive: check again later.
                    counters.replicasUnchecked.incrementRelease();
                    return;
                }
                fromDownLogd = true;
            }
            default ->
            {
                // TIMEOUT, OVERLOADED, another error (e.g. STORAGE_ERROR): not checked now, not known bad.
                counters.replicasUnchecked.incrementRelease();
                return;
            }
        }
        final byte[] key = new byte[ProbeResponse.badKeyLength(frame, at)];
        frame.getBytes(ProbeResponse.badKeyIndex(at), key);
        final int result = repairs.offer(key, ProbeResponse.badVersion(frame, at),
            ProbeResponse.badVersionNode(frame, at), logdId, ProbeResponse.badOffset(frame, at), fromDownLogd,
            mapd.index, nowNs);
        if (result != RepairQueue.DUPLICATE)
        {
            counters.badReplicasFound.incrementRelease();
            if (!fromDownLogd && result != RepairQueue.DROPPED &&
                !repairs.recentlyRepaired(logdId, ProbeResponse.badOffset(frame, at), nowNs) && corruptLines.allow())
            {
                EventLog.warn("mond: corrupt replica found by mapd " + mapd.host + ":" + mapd.port + ": key " +
                    EventLog.key(key) + " version " + ProbeResponse.badVersion(frame, at) + ", replica on logd " +
                    logdId + " at offset " + ProbeResponse.badOffset(frame, at) + " (" +
                    StatusCodes.name(ProbeResponse.badReason(frame, at)) + "); repair queued");
            }
        }
        agent.wakeAt(nowNs);
    }
}
