package io.metrodb.protocol.netty;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/**
 * Writes error responses. Error paths may allocate; the hot path never comes here.
 */
public final class ErrorReplies
{
    private ErrorReplies()
    {
    }

    /**
     * Answers the request in {@code frame} with an error status, keeping the connection open.
     * Does not flush: the caller's flush (or flush consolidation) sends it with the other replies.
     */
    public static void reply(
        final ChannelHandlerContext ctx, final ByteBuf frame, final short status, final String message)
    {
        final int at = frame.readerIndex();
        write(ctx, FrameHeader.opcode(frame, at), FrameHeader.requestId(frame, at), status, message);
    }

    /**
     * Writes an error response to {@code opcode}/{@code requestId} without flushing.
     */
    public static void write(
        final ChannelHandlerContext ctx, final byte opcode, final long requestId, final short status,
        final String message)
    {
        ctx.write(encode(ctx, opcode, requestId, status, message), ctx.voidPromise());
    }

    /**
     * Answers {@code opcode}/{@code requestId} with an error status, flushes, then closes the connection.
     */
    public static void replyAndClose(
        final ChannelHandlerContext ctx, final byte opcode, final long requestId, final short status,
        final String message)
    {
        ctx.writeAndFlush(encode(ctx, opcode, requestId, status, message)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Sends a connection-level ERROR frame (request id 0) and closes the connection.
     */
    public static void failConnection(final ChannelHandlerContext ctx, final short status, final String message)
    {
        replyAndClose(ctx, Opcodes.ERROR, 0, status, message);
    }

    /**
     * @return an error response to {@code opcode}/{@code requestId}, for a caller that sends it later.
     */
    public static ByteBuf encode(
        final ChannelHandlerContext ctx, final byte opcode, final long requestId, final short status,
        final String message)
    {
        if (!StatusCodes.isError(status))
        {
            throw new IllegalArgumentException("not an error status: " + StatusCodes.name(status));
        }
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + 64);
        ErrorPayload.encode(out, opcode, status, requestId, message);
        return out;
    }
}
