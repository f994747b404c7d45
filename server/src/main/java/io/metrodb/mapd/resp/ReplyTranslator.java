package io.metrodb.mapd.resp;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The outbound half of a {@link RespHandler}: each binary reply the request handler writes becomes RESP in the
 * {@link ReplySlot} of its command (the request id says which: {@code seq << 20 | sub}), a GET's value through
 * {@link ValueAssembler}; when a slot is complete the handler writes the ring's complete head. A reply with request
 * id 0 or an ERROR frame is the connection's last word and goes out at once. One per connection; data-path thread
 * only.
 */
final class ReplyTranslator
{
    private final RespHandler handler;
    private final ReplyRing ring;
    private final RespStats stats;
    private final ValueAssembler value = new ValueAssembler();

    ReplyTranslator(final RespHandler handler, final ReplyRing ring, final RespStats stats)
    {
        this.handler = handler;
        this.ring = ring;
        this.stats = stats;
    }

    /**
     * Releases the value being assembled, if any (the connection is gone).
     */
    void releaseAll()
    {
        value.releaseAll();
    }

    /**
     * A binary reply from the request handler (or the error handler's last word): into its slot, as RESP; the
     * complete replies at the ring's head are then written. Takes {@code buf} over.
     */
    void onBinaryReply(final ChannelHandlerContext ctx, final ByteBuf buf, final ChannelPromise promise)
    {
        if (value.isValuePart(buf))
        {
            drainIfDone(ctx, value.onValuePart(ctx, buf));
            promise.trySuccess();
            return;
        }
        if (value.isAwaiting())
        {
            drainIfDone(ctx, value.finish(ctx));
        }
        if (buf.readableBytes() < FrameHeader.HEADER_LENGTH)
        {
            buf.release();
            promise.trySuccess();
            return;
        }
        final int at = buf.readerIndex();
        final long requestId = FrameHeader.requestId(buf, at);
        final byte opcode = FrameHeader.opcode(buf, at);
        final short status = FrameHeader.status(buf, at);
        if (requestId == 0 || opcode == Opcodes.ERROR)
        {
            // The connection's last word (ProtocolErrorHandler closes it once this is written).
            final ByteBuf out = RespErrors.error(ctx, binaryError(status, buf, at));
            buf.release();
            ctx.write(out, promise);
            return;
        }
        final long seq = requestId >>> RespHandler.SUB_BITS;
        final int sub = (int)(requestId & RespHandler.SUB_MASK);
        final ReplySlot slot = ring.live(seq);
        try
        {
            onReply(ctx, slot, sub, buf, at, opcode, status);
        }
        finally
        {
            buf.release();
            promise.trySuccess();
        }
    }

    private void onReply(
        final ChannelHandlerContext ctx, final ReplySlot slot, final int sub, final ByteBuf buf, final int at,
        final byte opcode, final short status)
    {
        if (opcode == Opcodes.GET && status == StatusCodes.OK)
        {
            drainIfDone(ctx, value.onHeader(ctx, slot, sub, buf, at));
            return;
        }
        if (slot == null)
        {
            return;
        }
        if (slot.writes)
        {
            handler.writeAnswered(ctx, slot, sub);
        }
        if (StatusCodes.isError(status))
        {
            slot.onReply(sub, RespErrors.error(ctx, binaryError(status, buf, at)), true, 0);
        }
        else
        {
            switch (opcode)
            {
                case Opcodes.GET -> slot.onReply(sub, nullBulk(ctx), false, 0);
                case Opcodes.SET, Opcodes.SETSAFE -> slot.onReply(sub,
                    slot.kind == ReplySlot.SINGLE ? ok(ctx) : null, false, 0);
                case Opcodes.DEL, Opcodes.EXISTS -> slot.onReply(sub, null, false, status == StatusCodes.OK ? 1 : 0);
                case Opcodes.INFO -> slot.onReply(sub, infoReply(ctx, slot.info, buf, at), false, 0);
                default -> slot.onReply(sub,
                    RespErrors.error(ctx, "ERR unexpected reply to " + Opcodes.name(opcode)), true, 0);
            }
        }
        if (slot.isDone())
        {
            handler.drain(ctx);
        }
    }

    /**
     * @return a binary error status as Redis error text: {@code ERR NOT_ENOUGH_REPLICAS <the frame's message>}.
     */
    private static String binaryError(final short status, final ByteBuf buf, final int at)
    {
        return "ERR " + StatusCodes.name(status) + " " + ErrorPayload.message(buf, at);
    }

    static ByteBuf ok(final ChannelHandlerContext ctx)
    {
        return ctx.alloc().ioBuffer(RespReplies.OK.length).writeBytes(RespReplies.OK);
    }

    private static ByteBuf nullBulk(final ChannelHandlerContext ctx)
    {
        return ctx.alloc().ioBuffer(RespReplies.NULL_BULK.length).writeBytes(RespReplies.NULL_BULK);
    }

    private ByteBuf infoReply(final ChannelHandlerContext ctx, final int sections, final ByteBuf buf, final int at)
    {
        final String text = Info.text(buf, at);
        final ByteBuf out;
        if (sections == RespInfo.DBSIZE)
        {
            out = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
            RespReplies.writeInteger(out, RespInfo.keys(RespInfo.parse(text)));
        }
        else
        {
            final int port = ctx.channel().localAddress() instanceof InetSocketAddress ?
                ((InetSocketAddress)ctx.channel().localAddress()).getPort() : 0;
            final byte[] rendered = RespInfo.render(sections, text, stats, port).getBytes(StandardCharsets.UTF_8);
            out = ctx.alloc().ioBuffer(RespReplies.bulkLength(rendered.length));
            RespReplies.writeBulk(out, rendered);
        }
        return out;
    }

    private void drainIfDone(final ChannelHandlerContext ctx, final ReplySlot slot)
    {
        if (slot != null && slot.isDone())
        {
            handler.drain(ctx);
        }
    }
}
