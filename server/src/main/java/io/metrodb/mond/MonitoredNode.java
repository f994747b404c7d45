package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.server.LinkLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;

/**
 * One node mond watches, over one persistent connection: its heartbeats and health, what it last reported,
 * and (for a mapd) the view pushes, probes and repairs in flight to it. mond's event loop only.
 */
final class MonitoredNode implements PeerConnection.StateListener
{
    private static final System.Logger LOG = System.getLogger(MonitoredNode.class.getName());

    final int index;
    final byte role;
    final InetSocketAddress address;
    final String host;
    final int port;
    final PeerConnection connection;
    final NodeHealth health;
    private final MondAgent agent;

    /** The id from HELLO or a heartbeat, or one learned from a mapd's view; 0 while unknown. */
    int nodeId;
    long lastRttUs;
    long dataBytes;
    /** HEARTBEAT state: serving, catching up or stopping; -1 before the first answer. */
    int reportedState = -1;
    /** The newest view epoch the node said it holds. */
    long reportedEpoch;
    boolean wrongRole;

    boolean probeInFlight;
    int repairsInFlight;
    long pushInFlightEpoch;
    long ackedEpoch;
    boolean viewQueried;

    private long heartbeatSendNs;
    private long heartbeatEpoch;
    private final RequestWriter heartbeatWriter =
        (out, requestId) -> HeartbeatRequest.encode(out, requestId, heartbeatSendNs, heartbeatEpoch);
    private final RequestWriter queryWriter = ClusterView::encodeQuery;
    private final RequestWriter pushWriter;
    private final ResponseListener heartbeatListener = new HeartbeatListener();
    private final ResponseListener pushListener = new PushListener();
    private final ResponseListener queryListener = new QueryListener();

    MonitoredNode(
        final MondAgent agent,
        final int index,
        final byte role,
        final InetSocketAddress address,
        final EventLoop loop,
        final HandshakeConfig hello,
        final int maxInFlight,
        final long requestTimeoutMs,
        final long nowNs,
        final int downAfter)
    {
        this.agent = agent;
        this.index = index;
        this.role = role;
        this.address = address;
        this.host = address.getHostString();
        this.port = address.getPort();
        this.health = new NodeHealth(downAfter, nowNs);
        this.connection = new PeerConnection(loop, address, hello, maxInFlight, requestTimeoutMs,
            new LinkLog("mond", Roles.name(role), role, address, this));
        this.pushWriter = (out, requestId) -> agent.view().encode(out, requestId, false);
    }

    boolean isMapd()
    {
        return role == Roles.MAPD;
    }

    /**
     * @return true when the node is UP, serving (not catching up or stopping) and connected: it may be probed
     * and asked to repair.
     */
    boolean isServing()
    {
        return health.isUp() && reportedState == HeartbeatResponse.STATE_SERVING && connection.isReady() &&
            !wrongRole;
    }

    void sendHeartbeat(final long nowNs, final long epoch)
    {
        if (!connection.isReady() || wrongRole)
        {
            return;
        }
        heartbeatSendNs = nowNs;
        heartbeatEpoch = epoch;
        if (connection.send(heartbeatWriter, heartbeatListener, 0,
            FrameHeader.HEADER_LENGTH + HeartbeatRequest.LENGTH) >= 0)
        {
            agent.counters().heartbeatsSent.incrementRelease();
        }
    }

    /**
     * Pushes the current view to this mapd unless that epoch is already in flight or acknowledged.
     */
    void pushView(final long epoch, final int frameLength)
    {
        if (!connection.isReady() || wrongRole || pushInFlightEpoch != 0 || ackedEpoch >= epoch)
        {
            return;
        }
        if (connection.send(pushWriter, pushListener, epoch, frameLength) >= 0)
        {
            pushInFlightEpoch = epoch;
        }
    }

    @Override
    public void onReady(final PeerConnection ignored, final HandshakeResult hello)
    {
        if (hello.role() != role)
        {
            if (!wrongRole)
            {
                LOG.log(System.Logger.Level.ERROR, host + ":" + port + " is configured as a " + Roles.name(role) +
                    " but says it is a " + Roles.name(hello.role()) + "; ignoring it");
            }
            wrongRole = true;
            return;
        }
        wrongRole = false;
        agent.onNodeId(this, hello.nodeId(), System.nanoTime());
        if (isMapd() && !viewQueried)
        {
            // Learn the ids of nodes this mond has not reached yet from the view the mapd holds.
            viewQueried = connection.send(queryWriter, queryListener, 0, FrameHeader.HEADER_LENGTH) >= 0;
        }
        agent.onConnected(this);
    }

    @Override
    public void onLost(final PeerConnection ignored)
    {
        // A restarted mapd lost the view it held: push again once it answers.
        ackedEpoch = 0;
    }

    private final class HeartbeatListener implements ResponseListener
    {
        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            if (!FrameValidator.isValidResponse(frame, at) || FrameHeader.status(frame, at) != StatusCodes.OK)
            {
                agent.counters().badAnswers.incrementRelease();
                return;
            }
            final long nowNs = System.nanoTime();
            if (HeartbeatResponse.role(frame, at) != role)
            {
                wrongRole = true;
                agent.counters().badAnswers.incrementRelease();
                return;
            }
            lastRttUs = Math.max(0, (nowNs - HeartbeatResponse.sendTimeNs(frame, at)) / 1000);
            dataBytes = HeartbeatResponse.dataBytes(frame, at);
            reportedState = HeartbeatResponse.state(frame, at);
            reportedEpoch = HeartbeatResponse.viewEpoch(frame, at);
            agent.onNodeId(MonitoredNode.this, HeartbeatResponse.nodeId(frame, at), nowNs);
            agent.onHeartbeat(MonitoredNode.this, nowNs);
        }

        @Override
        public void onFailure(final long token, final short status)
        {
        }
    }

    private final class PushListener implements ResponseListener
    {
        @Override
        public void onResponse(final long epoch, final ByteBuf frame, final int at)
        {
            pushInFlightEpoch = 0;
            if (FrameHeader.status(frame, at) == StatusCodes.OK)
            {
                ackedEpoch = Math.max(ackedEpoch, epoch);
                agent.counters().viewsPushed.incrementRelease();
            }
            else
            {
                agent.counters().badAnswers.incrementRelease();
            }
        }

        @Override
        public void onFailure(final long epoch, final short status)
        {
            pushInFlightEpoch = 0;
        }
    }

    private final class QueryListener implements ResponseListener
    {
        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            if (FrameHeader.status(frame, at) == StatusCodes.OK && ClusterView.isValidView(frame, at))
            {
                agent.onViewLearned(frame, at);
            }
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            viewQueried = false;
        }
    }

    @Override
    public String toString()
    {
        return Roles.name(role) + " " + host + ":" + port + (nodeId != 0 ? " (node " + nodeId + ")" : "");
    }
}
