package io.metrodb.mond;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.testing.Await;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MondAgent} on a real event loop, connected to {@link FakeNode}s, whose duty cycle is NOT scheduled:
 * the test calls {@code doWork(nowNs)} (the agent's, or a walker's or repairer's) itself with the times it
 * chooses, so nothing happens between two calls but network answers. Everything touching mond's state goes
 * through {@link #call}, on mond's loop.
 * <p>
 * The test's clock is in {@link System#nanoTime()}'s domain (it starts at the real time), because answer
 * callbacks (heartbeat answers, PROBE and REPAIR outcomes) stamp their events with the real clock.
 */
final class AgentHarness implements AutoCloseable
{
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long DEADLINE_MS = 30_000;

    final MondConfig config;
    final MondAgent agent;
    private final EventLoopGroup group;
    private final EventLoop loop;

    AgentHarness(final MondConfig config)
    {
        this.config = config;
        this.group = Transports.newEventLoopGroup(1, "mond-test");
        this.loop = group.next();
        this.agent = new MondAgent(config, loop,
            new HandshakeConfig(Roles.MOND, 0, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH));
    }

    /**
     * A config over {@code mapds} and {@code logds} with the given rates and request timeout, the other
     * settings at their defaults.
     */
    static MondConfig config(
        final List<FakeNode> mapds,
        final List<FakeNode> logds,
        final int probeKeysPerSec,
        final int scrubKeysPerSec,
        final int repairsPerSec,
        final int downAfter,
        final long requestTimeoutMs)
    {
        return new MondConfig(MondConfig.DEFAULT_HOST, 0, 0, addresses(mapds), addresses(logds), null,
            MondConfig.DEFAULT_HEARTBEAT_INTERVAL_MS, downAfter, probeKeysPerSec, scrubKeysPerSec, repairsPerSec,
            MondConfig.DEFAULT_REPAIR_GRACE_MS, MondConfig.DEFAULT_MAX_PENDING_REPAIRS, requestTimeoutMs, 0);
    }

    private static List<InetSocketAddress> addresses(final List<FakeNode> nodes)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final FakeNode node : nodes)
        {
            addresses.add(node.address());
        }
        return addresses;
    }

    /**
     * Runs {@code task} on mond's loop and returns its result.
     */
    <T> T call(final Callable<T> task) throws Exception
    {
        return loop.submit(task).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
    }

    void run(final Runnable task) throws Exception
    {
        call(() ->
        {
            task.run();
            return null;
        });
    }

    /**
     * Waits until {@code condition}, evaluated on mond's loop, holds.
     */
    void await(final String what, final Callable<Boolean> condition) throws Exception
    {
        Await.until(what, DEADLINE_MS, () -> call(condition));
    }

    MonitoredNode mapd(final int index)
    {
        return agent.mapds()[index];
    }

    MondCounters counters()
    {
        return agent.counters();
    }

    /**
     * Connects to every node and waits until each is connected and every mapd is serving (its connect-time
     * heartbeat answered; a logd that does not answer heartbeats is only connected).
     */
    void connect() throws Exception
    {
        for (final MonitoredNode node : agent.nodes())
        {
            node.connection.start();
        }
        for (final MonitoredNode node : agent.nodes())
        {
            await(node + " connected", node.connection::isReady);
        }
        for (final MonitoredNode mapd : agent.mapds())
        {
            await(mapd + " serving", mapd::isServing);
        }
    }

    /**
     * Sends {@code node} a heartbeat now and waits for mond to handle the answer (the node's new state, epoch
     * and data are then on the node).
     */
    void heartbeat(final MonitoredNode node) throws Exception
    {
        final long answered = call(() -> counters().heartbeatsAnswered.get());
        run(() -> node.sendHeartbeat(System.nanoTime(), agent.view().epoch()));
        await("heartbeat answered by " + node, () -> counters().heartbeatsAnswered.get() > answered);
    }

    @Override
    public void close()
    {
        try
        {
            run(agent::close);
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
        finally
        {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
