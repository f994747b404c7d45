package io.metrodb.mond;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.server.CommonReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import org.agrona.ErrorHandler;
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
final class MondAgent implements LogdGrace.Listener
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
    private final ProbeWalkers walkers;
    private final Repairer repairer;
    private final long intervalNs;
    private final LogdGrace grace;
    private long nextHeartbeatNs;
    private boolean settled;
    private boolean viewDirty = true;
    private final DutyCycleScheduler dutyCycle;

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
        this.grace = new LogdGrace(logds, TimeUnit.MILLISECONDS.toNanos(config.repairGraceMs()));
        this.repairs = new RepairQueue(config.maxPendingRepairs(), config.repairGraceMs(), grace);
        this.view = new ViewPublisher(nodes, counters, repairs, nowNs, wallClock.time());
        this.walkers = new ProbeWalkers(this, config, counters, repairs, grace,
            TimeUnit.MILLISECONDS.toNanos(config.scrubPassMinMs()), nowNs);
        this.random = walkers.random;
        this.scrub = walkers.scrub;
        this.sweep = walkers.sweep;
        this.repairer = new Repairer(this, repairs, config.repairsPerSec(), nowNs);
        this.dutyCycle = new DutyCycleScheduler(loop, DUTY_CYCLE_NS, this::runDutyCycle);
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
            dutyCycle.start(nowNs);
        });
    }

    private long runDutyCycle(final long nowNs)
    {
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
        return nextCycleNs(nowNs);
    }

    /**
     * Have the next duty cycle run by {@code atNs}, though not sooner than {@link #DUTY_CYCLE_MS} after the last:
     * for events that make work sooner than the scheduled cycle would see it. On the event loop.
     */
    void wakeAt(final long atNs)
    {
        dutyCycle.wakeAt(atNs);
    }

    /**
     * @return when the next cycle should run: in {@link #DUTY_CYCLE_MS} while anything needs watching closely,
     * else at the next heartbeat or probe due.
     */
    private long nextCycleNs(final long nowNs)
    {
        final long soonestNs = nowNs + DUTY_CYCLE_NS;
        if (!settled || viewDirty || repairs.size() > 0 || repairs.inFlight() > 0 || sweep.isActive() ||
            grace.isRunning())
        {
            return soonestNs;
        }
        long delayNs = nextHeartbeatNs - nowNs;
        delayNs = Math.min(delayNs, random.untilNextSendNs(nowNs));
        delayNs = Math.min(delayNs, scrub.untilNextSendNs(nowNs));
        return delayNs < DUTY_CYCLE_NS ? soonestNs : nowNs + delayNs;
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
            grace.check(nowNs, this);
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
        walkers.endRests(nowNs);
        wakeAt(nowNs);
        if (settled || node.health.isDown())
        {
            LOG.log(System.Logger.Level.INFO, node + " is " + NodeHealth.name(node.health.state()));
        }
        if (node.role == Roles.LOGD && node.nodeId != 0 && !node.health.isDown())
        {
            grace.onNotDown(node.nodeId);
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
        walkers.endRests(nowNs);
        wakeAt(nowNs);
        if (node.role != Roles.LOGD)
        {
            return;
        }
        grace.onLogdId(node, old, id, nowNs);
        if (!node.health.isDown())
        {
            grace.onNotDown(id);
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
     * A PROBE reported a bad replica: queue its repair, or count it as unchecked ({@link ProbeWalkers}).
     *
     * @param at index of the bad replica in {@code frame}.
     */
    void onBadReplica(final MonitoredNode mapd, final ByteBuf frame, final int at, final long nowNs)
    {
        walkers.onBadReplica(mapd, frame, at, nowNs);
    }

    /**
     * A logd has been DOWN for the grace period: re-replicate its keys, sweeping the grid for them.
     */
    @Override
    public void onGraceExpired(final int logdId, final long nowNs)
    {
        LOG.log(System.Logger.Level.WARNING, "logd " + logdId + " has been DOWN for " + config.repairGraceMs() +
            " ms: re-replicating its keys");
        repairs.onGraceExpired(logdId, nowNs);
        walkers.startSweep(nowNs);
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
        dutyCycle.close();
        for (final MonitoredNode node : nodes)
        {
            node.connection.close();
        }
    }
}
