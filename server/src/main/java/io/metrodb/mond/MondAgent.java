package io.metrodb.mond;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.server.CommonReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.util.concurrent.TimeUnit;

/**
 * mond's duty cycle, on its one event-loop thread: heartbeats and node states, the cluster view, the grace
 * periods of DOWN logds, the probe walkers and the repairs. Reads the clock once per cycle and compares deadlines
 * as {@code deadlineNs - nowNs}.
 * <p>
 * Cycles run at most every {@link #DUTY_CYCLE_MS} ms. While anything needs watching closely (the view not settled
 * or not yet published, repairs pending or in flight, a sweep, a logd's grace period running) they run that often;
 * otherwise the next cycle is scheduled for the next heartbeat or probe that is due, and the events that make work
 * (a node changing state or id, a bad replica, a probe answered) bring it forward with {@link #wakeAt}. An idle
 * mond so wakes for its heartbeats and probes only, not 100 times a second.
 * <p>
 * Nothing is probed, repaired or pushed until the view has <b>settled</b>: every node has answered once or
 * been declared DOWN (at most {@code downAfter + 1} intervals after start). So a restarted mond never pushes
 * a half-formed view over the one the mapds hold.
 */
final class MondAgent implements RepairQueue.LogdStatus, ProbeWalker.PassListener
{
    static final long DUTY_CYCLE_MS = 10;
    private static final long DUTY_CYCLE_NS = TimeUnit.MILLISECONDS.toNanos(DUTY_CYCLE_MS);
    /** Requests in flight per node connection: heartbeats (one per interval until the request timeout), a
     * view push or query, one PROBE per walker, the REPAIRs. */
    static final int MAX_IN_FLIGHT = 256;

    private static final System.Logger LOG = System.getLogger(MondAgent.class.getName());

    private final MondConfig config;
    private final EventLoop loop;
    private final MonitoredNode[] nodes;
    private final MonitoredNode[] mapds;
    private final MonitoredNode[] logds;
    private final MondCounters counters;
    private final ErrorHandler errorHandler;
    private final RepairQueue repairs;
    private final ViewPublisher view;
    private final ProbeWalker random;
    private final ProbeWalker scrub;
    private final ProbeWalker sweep;
    private final Repairer repairer;
    private final long intervalNs;
    private final long graceNs;
    private final long scrubPassMinNs;
    private final Int2ObjectHashMap<MonitoredNode> logdsById = new Int2ObjectHashMap<>();
    /** Logd ids met in probes (or given up by a logd that now has another id) that no watched logd has:
     * treated as DOWN since first met. */
    private final Long2LongHashMap unknownLogdSinceNs = new Long2LongHashMap(Long.MIN_VALUE);
    /** Logd ids whose grace period expired during their current DOWN spell. */
    private final IntHashSet graceExpired = new IntHashSet();
    private long nextHeartbeatNs;
    private boolean settled;
    private boolean viewDirty = true;
    private boolean sweepAgain;
    private long droppedAtSweepStart;
    private final Runnable dutyCycleTask = this::runDutyCycle;
    private ScheduledFuture<?> dutyCycle;
    private long dutyCycleAtNs;
    private long lastCycleNs;
    private boolean closed;

    MondAgent(final MondConfig config, final EventLoop loop, final HandshakeConfig hello)
    {
        this(config, loop, hello, new MondCounters(), SystemEpochClock.INSTANCE, Throwable::printStackTrace);
    }

    MondAgent(final MondConfig config, final EventLoop loop, final HandshakeConfig hello, final MondCounters counters,
        final EpochClock wallClock, final ErrorHandler errorHandler)
    {
        final long nowNs = System.nanoTime();
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.config = config;
        this.loop = loop;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMs());
        this.graceNs = TimeUnit.MILLISECONDS.toNanos(config.repairGraceMs());
        this.scrubPassMinNs = TimeUnit.MILLISECONDS.toNanos(config.scrubPassMinMs());
        this.mapds = new MonitoredNode[config.mapds().size()];
        this.logds = new MonitoredNode[config.logds().size()];
        this.nodes = new MonitoredNode[mapds.length + logds.length];
        for (int i = 0; i < nodes.length; i++)
        {
            final boolean isMapd = i < mapds.length;
            final MonitoredNode node = new MonitoredNode(this, i, isMapd ? Roles.MAPD : Roles.LOGD,
                isMapd ? config.mapds().get(i) : config.logds().get(i - mapds.length), loop, hello, MAX_IN_FLIGHT,
                config.requestTimeoutMs(), nowNs, config.downAfter());
            nodes[i] = node;
            if (isMapd)
            {
                mapds[i] = node;
            }
            else
            {
                logds[i - mapds.length] = node;
            }
        }
        this.repairs = new RepairQueue(config.maxPendingRepairs(), config.repairGraceMs(), this);
        this.view = new ViewPublisher(nodes, counters, repairs, nowNs, wallClock.time());
        this.random = new ProbeWalker("probe", this, ProbeRequest.MODE_RANDOM, config.probeKeysPerSec(), null, nowNs);
        this.scrub = new ProbeWalker("scrub", this, ProbeRequest.MODE_SCAN, config.scrubKeysPerSec(), this, nowNs);
        this.sweep = new ProbeWalker("sweep", this, ProbeRequest.MODE_SCAN, config.repairsPerSec(), this, nowNs);
        this.sweep.active(false, nowNs);
        this.repairer = new Repairer(this, repairs, config.repairsPerSec(), nowNs);
    }

    /**
     * Connects to every node and starts the duty cycle (from any thread).
     */
    void start()
    {
        loop.execute(() ->
        {
            final long nowNs = System.nanoTime();
            nextHeartbeatNs = nowNs + intervalNs;
            for (final MonitoredNode node : nodes)
            {
                node.connection.start();
            }
            lastCycleNs = nowNs;
            if (!closed)
            {
                scheduleCycle(nowNs + DUTY_CYCLE_NS, nowNs);
            }
        });
    }

    private void runDutyCycle()
    {
        dutyCycle = null;
        final long nowNs = System.nanoTime();
        lastCycleNs = nowNs;
        counters.dutyCycles.incrementRelease();
        try
        {
            doWork(nowNs);
        }
        catch (final RuntimeException e)
        {
            // Log and keep going: the next cycle is scheduled all the same.
            LOG.log(System.Logger.Level.ERROR, "mond duty cycle failed (metrodb stat --errors): " + e);
            errorHandler.onError(e);
        }
        if (!closed)
        {
            scheduleCycle(nextCycleNs(nowNs), nowNs);
        }
    }

    private void scheduleCycle(final long atNs, final long nowNs)
    {
        dutyCycleAtNs = atNs;
        dutyCycle = loop.schedule(dutyCycleTask, Math.max(0, atNs - nowNs), TimeUnit.NANOSECONDS);
    }

    /**
     * Have the next duty cycle run by {@code atNs}, though not sooner than {@link #DUTY_CYCLE_MS} after the last:
     * for events that make work sooner than the scheduled cycle would see it. On the event loop.
     */
    void wakeAt(final long atNs)
    {
        final long runAtNs = atNs - (lastCycleNs + DUTY_CYCLE_NS) < 0 ? lastCycleNs + DUTY_CYCLE_NS : atNs;
        if (closed || dutyCycle == null || runAtNs - dutyCycleAtNs >= 0)
        {
            // Not started, running now (it schedules the next when done), closed, or soon enough already.
            return;
        }
        dutyCycle.cancel(false);
        scheduleCycle(runAtNs, System.nanoTime());
    }

    /**
     * @return when the next cycle should run: in {@link #DUTY_CYCLE_MS} while anything needs watching closely,
     * else at the next heartbeat or probe due.
     */
    private long nextCycleNs(final long nowNs)
    {
        final long soonestNs = nowNs + DUTY_CYCLE_NS;
        if (!settled || viewDirty || repairs.size() > 0 || repairs.inFlight() > 0 || sweep.isActive() ||
            graceRunning())
        {
            return soonestNs;
        }
        long delayNs = nextHeartbeatNs - nowNs;
        delayNs = Math.min(delayNs, random.untilNextSendNs(nowNs));
        delayNs = Math.min(delayNs, scrub.untilNextSendNs(nowNs));
        return delayNs < DUTY_CYCLE_NS ? soonestNs : nowNs + delayNs;
    }

    /**
     * @return true while some logd (watched or only met in probes) is DOWN and its grace period has not expired.
     */
    private boolean graceRunning()
    {
        for (final MonitoredNode logd : logds)
        {
            if (logd.nodeId != 0 && logd.health.isDown() && !graceExpired.contains(logd.nodeId))
            {
                return true;
            }
        }
        if (!unknownLogdSinceNs.isEmpty())
        {
            final Long2LongHashMap.KeyIterator ids = unknownLogdSinceNs.keySet().iterator();
            while (ids.hasNext())
            {
                if (!graceExpired.contains((int)ids.nextValue()))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A walker's PROBE was answered (or failed): run a cycle when it may send the next.
     */
    void onProbeDone(final ProbeWalker walker)
    {
        final long nowNs = System.nanoTime();
        final long delayNs = walker.untilNextSendNs(nowNs);
        if (delayNs != Long.MAX_VALUE)
        {
            wakeAt(nowNs + delayNs);
        }
    }

    void doWork(final long nowNs)
    {
        if (nowNs - nextHeartbeatNs >= 0)
        {
            heartbeatTick(nowNs);
        }
        if (!settled)
        {
            checkSettled();
        }
        if (viewDirty)
        {
            publish(nowNs);
        }
        if (settled)
        {
            checkGrace(nowNs);
            random.doWork(nowNs);
            scrub.doWork(nowNs);
            sweep.doWork(nowNs);
            repairer.doWork(nowNs);
        }
    }

    private void heartbeatTick(final long nowNs)
    {
        nextHeartbeatNs += intervalNs;
        if (nowNs - nextHeartbeatNs >= 0)
        {
            // mond itself stalled for more than an interval: do not charge the nodes the intervals it missed.
            nextHeartbeatNs = nowNs + intervalNs;
        }
        for (final MonitoredNode node : nodes)
        {
            if (node.health.onIntervalEnd(nowNs))
            {
                onStateChanged(node, nowNs);
            }
            node.sendHeartbeat(nowNs, view.epoch());
        }
    }

    private void checkSettled()
    {
        for (final MonitoredNode node : nodes)
        {
            if (!node.health.everAnswered() && !node.health.isDown())
            {
                return;
            }
        }
        settled = true;
        view.catchUpWithHeard();
        viewDirty = true;
        LOG.log(System.Logger.Level.INFO, "view settled: " + countState(NodeHealth.UP) + " of " + nodes.length +
            " nodes UP");
    }

    private void publish(final long nowNs)
    {
        viewDirty = false;
        view.bump(nowNs);
        if (settled)
        {
            final int frameLength = view.frameLength();
            for (final MonitoredNode mapd : mapds)
            {
                mapd.pushView(view.epoch(), frameLength);
            }
        }
    }

    private void onStateChanged(final MonitoredNode node, final long nowNs)
    {
        viewDirty = true;
        endRests(nowNs);
        wakeAt(nowNs);
        if (settled || node.health.isDown())
        {
            LOG.log(System.Logger.Level.INFO, node + " is " + NodeHealth.name(node.health.state()));
        }
        if (node.role == Roles.LOGD && node.nodeId != 0 && !node.health.isDown())
        {
            graceExpired.remove(node.nodeId);
            if (node.health.isUp())
            {
                repairs.onLogdUp(node.nodeId);
            }
        }
    }

    /**
     * A node connected (HELLO done): heartbeat it at once, so it is UP without waiting for the next interval.
     */
    void onConnected(final MonitoredNode node)
    {
        node.sendHeartbeat(System.nanoTime(), view.epoch());
        if (node.isMapd() && settled)
        {
            node.pushView(view.epoch(), view.frameLength());
        }
    }

    /**
     * A heartbeat answer arrived (its fields already stored on the node).
     */
    void onHeartbeat(final MonitoredNode node, final long nowNs)
    {
        counters.heartbeatsAnswered.incrementRelease();
        if (node.reportedState == HeartbeatResponse.STATE_STOPPING)
        {
            // A node that is stopping is going away: its answers do not keep it UP.
            return;
        }
        if (node.health.onAnswer(nowNs))
        {
            onStateChanged(node, nowNs);
        }
        if (node.isMapd())
        {
            view.heard(node.reportedEpoch);
            if (settled && node.reportedEpoch < view.epoch())
            {
                // Heals a mapd that restarted (it holds no view) or missed a push.
                node.pushView(view.epoch(), view.frameLength());
            }
        }
    }

    /**
     * A node announced its id (HELLO, heartbeat), or a mapd's view named it.
     */
    void onNodeId(final MonitoredNode node, final int id, final long nowNs)
    {
        if (id == 0 || id == node.nodeId)
        {
            return;
        }
        final int old = node.nodeId;
        node.nodeId = id;
        viewDirty = true;
        endRests(nowNs);
        wakeAt(nowNs);
        if (node.role != Roles.LOGD)
        {
            return;
        }
        if (old != 0 && logdsById.get(old) == node)
        {
            logdsById.remove(old);
            unknownLogdSinceNs.put(old, nowNs);
            LOG.log(System.Logger.Level.WARNING, node + " was node " + old + ": replicas still on " + old +
                " count as on a DOWN logd from now");
        }
        final MonitoredNode previous = logdsById.put(id, node);
        if (previous != null && previous != node)
        {
            LOG.log(System.Logger.Level.ERROR, previous + " and " + node + " both claim node id " + id);
        }
        unknownLogdSinceNs.remove(id);
        if (!node.health.isDown())
        {
            graceExpired.remove(id);
            if (node.health.isUp())
            {
                repairs.onLogdUp(id);
            }
        }
    }

    /**
     * A mapd answered the CLUSTER_VIEW query sent when it connected: adopt the ids of nodes not reached yet
     * (matched by role, host and port), so a restarted mond knows which id a dead logd had.
     */
    void onViewLearned(final ByteBuf frame, final int at)
    {
        view.heard(ClusterView.epoch(frame, at));
        final long nowNs = System.nanoTime();
        int node = ClusterView.firstNodeIndex(at);
        for (int i = ClusterView.nodeCount(frame, at); i > 0; i--)
        {
            final int id = ClusterView.nodeId(frame, node);
            if (id != 0)
            {
                final MonitoredNode match = find(ClusterView.nodeRole(frame, node), ClusterView.nodeHost(frame, node),
                    ClusterView.nodePort(frame, node));
                if (match != null && match.nodeId == 0)
                {
                    onNodeId(match, id, nowNs);
                }
            }
            node = ClusterView.nextNodeIndex(frame, node);
        }
    }

    private MonitoredNode find(final byte role, final String host, final int port)
    {
        for (final MonitoredNode node : nodes)
        {
            if (node.role == role && node.port == port && node.host.equalsIgnoreCase(host))
            {
                return node;
            }
        }
        return null;
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
                if (downForNs(logdId, nowNs) < 0)
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
        }
        wakeAt(nowNs);
    }

    @Override
    public long downForNs(final int logdId, final long nowNs)
    {
        final MonitoredNode logd = logdsById.get(logdId);
        if (logd != null)
        {
            return logd.health.isDown() ? nowNs - logd.health.sinceNs() : -1;
        }
        long sinceNs = unknownLogdSinceNs.get(logdId);
        if (sinceNs == Long.MIN_VALUE)
        {
            LOG.log(System.Logger.Level.WARNING, "replicas on logd " + logdId + ", which no watched logd is: " +
                "counted as DOWN from now");
            sinceNs = nowNs;
            unknownLogdSinceNs.put(logdId, sinceNs);
        }
        return nowNs - sinceNs;
    }

    private void checkGrace(final long nowNs)
    {
        for (final MonitoredNode logd : logds)
        {
            if (logd.nodeId != 0 && logd.health.isDown() && nowNs - logd.health.sinceNs() >= graceNs)
            {
                expireGrace(logd.nodeId, nowNs);
            }
        }
        if (!unknownLogdSinceNs.isEmpty())
        {
            final Long2LongHashMap.KeyIterator ids = unknownLogdSinceNs.keySet().iterator();
            while (ids.hasNext())
            {
                final int id = (int)ids.nextValue();
                if (nowNs - unknownLogdSinceNs.get(id) >= graceNs)
                {
                    expireGrace(id, nowNs);
                }
            }
        }
    }

    private void expireGrace(final int logdId, final long nowNs)
    {
        if (!graceExpired.add(logdId))
        {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "logd " + logdId + " has been DOWN for " + config.repairGraceMs() +
            " ms: re-replicating its keys");
        repairs.onGraceExpired(logdId, nowNs);
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
    private void endRests(final long nowNs)
    {
        scrub.endRest(nowNs);
        random.endRest(nowNs);
    }

    private int countState(final int state)
    {
        int count = 0;
        for (final MonitoredNode node : nodes)
        {
            count += node.health.state() == state ? 1 : 0;
        }
        return count;
    }

    /**
     * Appends INFO's lines.
     */
    void appendInfo(final StringBuilder text)
    {
        text.append("role:mond\n")
            .append("node_id:").append(config.nodeId()).append('\n')
            .append("view_epoch:").append(view.epoch()).append('\n')
            .append("view_settled:").append(settled ? 1 : 0).append('\n')
            .append("heartbeat_ms:").append(config.heartbeatIntervalMs()).append('\n')
            .append("down_after:").append(config.downAfter()).append('\n')
            .append("repair_grace_ms:").append(config.repairGraceMs()).append('\n')
            .append("nodes:").append(nodes.length).append('\n')
            .append("nodes_up:").append(countState(NodeHealth.UP)).append('\n')
            .append("nodes_suspect:").append(countState(NodeHealth.SUSPECT)).append('\n')
            .append("nodes_down:").append(countState(NodeHealth.DOWN)).append('\n')
            .append("repairs_pending:").append(repairs.size()).append('\n')
            .append("repairs_in_flight:").append(repairs.inFlight()).append('\n')
            .append("repairs_dropped:").append(repairs.dropped()).append('\n')
            .append("repairs_cancelled:").append(repairs.cancelled()).append('\n')
            .append("repairs_abandoned:").append(repairs.abandoned()).append('\n');
        CommonReplies.appendCounters(text, "", counters::forEach);
        random.appendInfo(text);
        scrub.appendInfo(text);
        sweep.appendInfo(text);
        for (final MonitoredNode node : nodes)
        {
            text.append("node").append(node.index).append(":role=").append(Roles.name(node.role))
                .append(",addr=").append(node.host).append(':').append(node.port)
                .append(",id=").append(node.nodeId)
                .append(",state=").append(NodeHealth.name(node.health.state()))
                .append(",since_ms=").append(view.wallMs(node.health.sinceNs()))
                .append(",misses=").append(node.health.misses())
                .append(",connected=").append(node.connection.isReady() ? 1 : 0)
                .append(",connects=").append(node.connection.connects())
                .append(",rtt_us=").append(node.lastRttUs)
                .append(",data=").append(node.dataBytes)
                .append(",reported_state=").append(node.reportedState)
                .append(",epoch=").append(node.reportedEpoch)
                .append('\n');
        }
    }

    MondCounters counters()
    {
        return counters;
    }

    ViewPublisher view()
    {
        return view;
    }

    MonitoredNode[] mapds()
    {
        return mapds;
    }

    MonitoredNode[] nodes()
    {
        return nodes;
    }

    RepairQueue repairs()
    {
        return repairs;
    }

    boolean isSettled()
    {
        return settled;
    }

    /**
     * Stops the duty cycle and closes every connection. On the event loop.
     */
    void close()
    {
        closed = true;
        if (dutyCycle != null)
        {
            dutyCycle.cancel(false);
        }
        for (final MonitoredNode node : nodes)
        {
            node.connection.close();
        }
    }
}
