package io.metrodb.bench.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.WriteResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The latency floor's server: on the standard server pipeline (handshake, frames, flush consolidation), it answers
 * PING with its nonce, and GET and SET at once with frames of the size a mapd sends (a GET answer carries
 * {@code valueLength} zero bytes), touching no grid and no logd.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter
{
    private final int valueLength;

    EchoHandler(final int valueLength)
    {
        this.valueLength = valueLength;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            final int at = frame.readerIndex();
            final long requestId = FrameHeader.requestId(frame, at);
            final ByteBuf out;
            switch (FrameHeader.opcode(frame, at))
            {
                case Opcodes.PING ->
                {
                    out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + Ping.LENGTH);
                    Ping.encodeResponse(out, requestId, Ping.nonce(frame, at));
                }
                case Opcodes.GET ->
                {
                    out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_OFFSET + valueLength);
                    EntryResponse.encodeGetHeader(out, requestId, 1, 1, valueLength);
                    out.writeZero(valueLength);
                }
                case Opcodes.SET ->
                {
                    out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + WriteResponse.LENGTH);
                    WriteResponse.encode(out, Opcodes.SET, requestId, 1, 1, 2, 0, 0);
                }
                default ->
                {
                    out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH);
                    FrameHeader.writeResponse(out, 0, FrameHeader.opcode(frame, at), StatusCodes.UNKNOWN_OPCODE,
                        requestId);
                }
            }
            ctx.write(out, ctx.voidPromise());
        }
        finally
        {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.flush();
    }
}
