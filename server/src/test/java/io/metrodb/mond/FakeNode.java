package io.metrodb.mond;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.testing.FakeServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A mapd or logd impostor for mond's tests, on 127.0.0.1: answers HELLO as its role and node id, records every
 * other request it gets, and answers each as its {@link Responder} says. By default it answers as PROTOCOL.md
 * says a quiet, healthy node does: HEARTBEAT with its state and the newest view epoch it holds, CLUSTER_VIEW
 * pushes with OK (keeping the highest epoch, as a mapd does), a query with "no view", PROBE with nothing
 * checked, REPAIR with OK.
 */
final class FakeNode implements AutoCloseable
{
    static final String HOST = "127.0.0.1";

    /** One request as it arrived: the whole frame, copied. */
    record Request(byte opcode, long requestId, byte[] frame)
    {
        ByteBuf buf()
        {
            return Unpooled.wrappedBuffer(frame);
        }
    }

    /** What the fake does with one request: answer on {@code ctx}, stay silent, or close the connection. */
    @FunctionalInterface
    interface Responder
    {
        void respond(ChannelHandlerContext ctx, ByteBuf frame, int at);
    }

    /** Answers nothing. */
    static final Responder SILENT = (ctx, frame, at) ->
    {
    };

    /** Closes the connection: the request is lost in flight. */
    static final Responder DISCONNECT = (ctx, frame, at) -> ctx.close();

    /** Answers a REPAIR with OK and no replicas (as a mapd whose listed replicas were already gone). */
    static final Responder REPAIRED = (ctx, frame, at) -> reply(ctx, out ->
        RepairResponse.encode(out, FrameHeader.requestId(frame, at), 0, new short[0], new long[0]));

    /** Holds every request unanswered until the test answers them all with {@link #answerAll}. */
    static final class Held implements Responder
    {
        private record Waiting(ChannelHandlerContext ctx, byte[] frame)
        {
        }

        private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();

        @Override
        public void respond(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
        {
            waiting.add(new Waiting(ctx, ByteBufUtil.getBytes(frame, at, FrameHeader.frameLength(frame, at))));
        }

        int size()
        {
            return waiting.size();
        }

        /**
         * Answers every request held so far as {@code responder} does.
         *
         * @return how many were answered.
         */
        int answerAll(final Responder responder)
        {
            int answered = 0;
            Waiting next;
            while ((next = waiting.poll()) != null)
            {
                final Waiting request = next;
                request.ctx().executor().execute(() -> responder.respond(request.ctx(),
                    Unpooled.wrappedBuffer(request.frame()), 0));
                answered++;
            }
            return answered;
        }
    }

    final byte role;
    final int nodeId;
    /** HEARTBEAT state reported (serving, catching up, stopping). */
    volatile int heartbeatState = HeartbeatResponse.STATE_SERVING;
    volatile long dataBytes;
    volatile boolean answerHeartbeats = true;
    /** When >= 0, the view epoch HEARTBEAT reports instead of the one held (e.g. another mond's). */
    volatile long reportedEpochOverride = -1;

    private final FakeServer server;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final Map<Byte, Responder> responders = new ConcurrentHashMap<>();
    /** Pushes whose epoch was not above the one held when they arrived (a mapd ignores them). */
    private final List<Long> stalePushes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile long heldEpoch;

    FakeNode(final byte role, final int nodeId) throws InterruptedException
    {
        this.role = role;
        this.nodeId = nodeId;
        responders.put(Opcodes.HEARTBEAT, this::answerHeartbeat);
        responders.put(Opcodes.CLUSTER_VIEW, this::acceptView);
        responders.put(Opcodes.PROBE, (ctx, frame, at) -> reply(ctx, out ->
            ProbeResponse.encodeHeader(out, FrameHeader.requestId(frame, at), 0, 0, 0, 0)));
        responders.put(Opcodes.REPAIR, REPAIRED);
        server = FakeServer.start(new HandshakeConfig(role, nodeId, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
            new Requests(), children::add);
    }

    InetSocketAddress address()
    {
        return server.address();
    }

    /**
     * Replaces what the fake does with requests of {@code opcode}.
     */
    void on(final byte opcode, final Responder responder)
    {
        responders.put(opcode, responder);
    }

    List<Request> received(final byte opcode)
    {
        final List<Request> matching = new ArrayList<>();
        for (final Request request : received)
        {
            if (request.opcode() == opcode)
            {
                matching.add(request);
            }
        }
        return matching;
    }

    /**
     * @return the epochs of the views pushed to this node (queries left out), in arrival order.
     */
    List<Long> pushedEpochs()
    {
        final List<Long> epochs = new ArrayList<>();
        for (final Request request : received(Opcodes.CLUSTER_VIEW))
        {
            final ByteBuf frame = request.buf();
            if (!ClusterView.isQuery(frame, 0))
            {
                epochs.add(ClusterView.epoch(frame, 0));
            }
        }
        return epochs;
    }

    long heldEpoch()
    {
        return heldEpoch;
    }

    /**
     * As a restarted mapd: holds no view.
     */
    void forgetView()
    {
        heldEpoch = 0;
    }

    List<Long> stalePushes()
    {
        return stalePushes;
    }

    /**
     * Closes every accepted connection (the listening socket stays open, so the peer reconnects).
     */
    void dropConnections()
    {
        children.close().syncUninterruptibly();
    }

    /**
     * Stops listening and closes every connection, as a node that died; may be called again.
     */
    @Override
    public void close()
    {
        if (!open.compareAndSet(true, false))
        {
            return;
        }
        children.close().syncUninterruptibly();
        server.close();
    }

    private void answerHeartbeat(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        if (!answerHeartbeats)
        {
            return;
        }
        final long override = reportedEpochOverride;
        final long epoch = override >= 0 ? override : heldEpoch;
        reply(ctx, out -> HeartbeatResponse.encode(out, FrameHeader.requestId(frame, at),
            HeartbeatRequest.sendTimeNs(frame, at), role, heartbeatState, nodeId, dataBytes, epoch));
    }

    /**
     * As a mapd: keeps the pushed view with the highest epoch, answers OK either way; a query gets "no view".
     */
    void acceptView(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        if (!ClusterView.isQuery(frame, at))
        {
            final long epoch = ClusterView.epoch(frame, at);
            final long override = reportedEpochOverride;
            if (epoch <= Math.max(heldEpoch, override))
            {
                stalePushes.add(epoch);
            }
            heldEpoch = Math.max(heldEpoch, epoch);
        }
        reply(ctx, out -> ClusterView.encodeAck(out, FrameHeader.requestId(frame, at)));
    }

    static void reply(final ChannelHandlerContext ctx, final Consumer<ByteBuf> encoder)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(64);
        encoder.accept(out);
        ctx.writeAndFlush(out);
    }

    /**
     * @return a responder answering every request with the error {@code status}.
     */
    static Responder error(final short status)
    {
        return (ctx, frame, at) -> reply(ctx, out -> ErrorPayload.encode(out, FrameHeader.opcode(frame, at), status,
            FrameHeader.requestId(frame, at), "fake " + StatusCodes.name(status)));
    }

    @ChannelHandler.Sharable
    private final class Requests extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                final int at = frame.readerIndex();
                final byte opcode = FrameHeader.opcode(frame, at);
                received.add(new Request(opcode, FrameHeader.requestId(frame, at),
                    ByteBufUtil.getBytes(frame, at, FrameHeader.frameLength(frame, at))));
                final Responder responder = responders.get(opcode);
                if (responder != null)
                {
                    responder.respond(ctx, frame, at);
                }
                else
                {
                    error(StatusCodes.UNKNOWN_OPCODE).respond(ctx, frame, at);
                }
            }
            finally
            {
                frame.release();
            }
        }
    }
}
