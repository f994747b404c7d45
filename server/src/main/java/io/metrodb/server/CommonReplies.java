package io.metrodb.server;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.util.function.ObjLongConsumer;

/**
 * The requests every daemon answers the same way: PING, HEARTBEAT and INFO, and the INFO renderer that walks a
 * daemon's counters ({@code name:value} lines). Each request handler keeps its own dispatch and calls these.
 */
public final class CommonReplies
{
    private CommonReplies()
    {
    }

    /**
     * Something that visits its counters by INFO name, e.g. a daemon's counters or a log's stats.
     */
    @FunctionalInterface
    public interface Counters
    {
        void forEach(ObjLongConsumer<String> consumer);
    }

    /**
     * Answers a PING with its nonce.
     */
    public static void ping(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + Ping.LENGTH);
        Ping.encodeResponse(out, requestId, Ping.nonce(frame, at));
        ctx.write(out, ctx.voidPromise());
    }

    /**
     * Answers a HEARTBEAT: O(1) and allocation-free but for the reply.
     *
     * @param role    the daemon's role ({@link io.metrodb.protocol.Roles}).
     * @param state   {@link HeartbeatResponse#STATE_SERVING} or another state.
     * @param figureA the role's first figure (logd: tail position; mapd: live keys; mond: pending repairs).
     * @param figureB the role's second figure (mapd, mond: cluster view epoch; logd: 0).
     */
    public static void heartbeat(
        final ChannelHandlerContext ctx,
        final ByteBuf frame,
        final int at,
        final long requestId,
        final byte role,
        final int state,
        final int nodeId,
        final long figureA,
        final long figureB)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + HeartbeatResponse.LENGTH);
        HeartbeatResponse.encode(out, requestId, HeartbeatRequest.sendTimeNs(frame, at), role, state, nodeId,
            figureA, figureB);
        ctx.write(out, ctx.voidPromise());
    }

    /**
     * @return {@link HeartbeatResponse#STATE_STOPPING} when stopping, else {@link HeartbeatResponse#STATE_SERVING}.
     */
    public static int servingState(final boolean stopping)
    {
        return stopping ? HeartbeatResponse.STATE_STOPPING : HeartbeatResponse.STATE_SERVING;
    }

    /**
     * Appends one {@code prefix name:value} line per counter: the INFO renderer of every daemon.
     */
    public static StringBuilder appendCounters(final StringBuilder text, final String prefix, final Counters counters)
    {
        counters.forEach((name, value) -> text.append(prefix).append(name).append(':').append(value).append('\n'));
        return text;
    }

    /**
     * Answers INFO with {@code text}.
     */
    public static void info(final ChannelHandlerContext ctx, final long requestId, final CharSequence text)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + Info.TEXT_OFFSET + text.length() * 2);
        Info.encodeResponse(out, requestId, text.toString());
        ctx.write(out, ctx.voidPromise());
    }
}
