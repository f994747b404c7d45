package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.netty.ErrorReplies;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.server.CommonReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves one connection to mond, on mond's event loop: CLUSTER_VIEW queries, INFO, PING and HEARTBEAT (so
 * another mond can watch this one). A pushed view is refused with {@code WRONG_ROLE}: mond makes views.
 */
final class MondRequestHandler extends ChannelInboundHandlerAdapter
{
    private final MondAgent agent;
    private final int nodeId;
    private final AtomicBoolean stopping;

    /**
     * @param nodeId   mond's id, as in its HELLO.
     * @param stopping set once mond is shutting down (HEARTBEAT then says so).
     */
    MondRequestHandler(final MondAgent agent, final int nodeId, final AtomicBoolean stopping)
    {
        this.agent = agent;
        this.nodeId = nodeId;
        this.stopping = stopping;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            final int at = frame.readerIndex();
            final byte opcode = FrameHeader.opcode(frame, at);
            if (!servesOpcode(opcode))
            {
                ErrorReplies.reply(ctx, frame, Opcodes.isKnown(opcode) ? StatusCodes.WRONG_ROLE :
                    StatusCodes.UNKNOWN_OPCODE, Opcodes.isKnown(opcode) ? Opcodes.name(opcode) +
                    " is not served by mond" : "unknown opcode");
                return;
            }
            final short valid = FrameValidator.validateRequest(frame, at, 0);
            if (valid != StatusCodes.OK)
            {
                ErrorReplies.reply(ctx, frame, valid, "malformed " + Opcodes.name(opcode) + " request");
                return;
            }
            final long requestId = FrameHeader.requestId(frame, at);
            switch (opcode)
            {
                case Opcodes.CLUSTER_VIEW -> onClusterView(ctx, frame, at, requestId);
                case Opcodes.INFO -> onInfo(ctx, requestId);
                case Opcodes.PING -> CommonReplies.ping(ctx, frame, at, requestId);
                case Opcodes.HEARTBEAT -> onHeartbeat(ctx, frame, at, requestId);
                default -> throw new IllegalStateException("unreachable: " + opcode);
            }
        }
        finally
        {
            frame.release();
        }
    }

    private static boolean servesOpcode(final byte opcode)
    {
        return switch (opcode)
        {
            case Opcodes.CLUSTER_VIEW, Opcodes.INFO, Opcodes.PING, Opcodes.HEARTBEAT -> true;
            default -> false;
        };
    }

    private void onClusterView(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        if (!ClusterView.isQuery(frame, at))
        {
            ErrorReplies.reply(ctx, frame, StatusCodes.WRONG_ROLE, "mond makes views; it does not take pushed ones");
            return;
        }
        final ViewPublisher view = agent.view();
        final ByteBuf out = ctx.alloc().ioBuffer(view.frameLength());
        view.encode(out, requestId, true);
        ctx.write(out, ctx.voidPromise());
    }

    private void onInfo(final ChannelHandlerContext ctx, final long requestId)
    {
        final StringBuilder text = new StringBuilder(2048);
        agent.appendInfo(text);
        CommonReplies.info(ctx, requestId, text);
    }

    private void onHeartbeat(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        CommonReplies.heartbeat(ctx, frame, at, requestId, Roles.MOND, CommonReplies.servingState(stopping.get()),
            nodeId, agent.repairs().size(), agent.view().epoch());
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.flush();
    }
}
