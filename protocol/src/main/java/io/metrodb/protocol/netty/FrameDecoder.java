package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the inbound byte stream into frames, each passed on as a retained slice that starts at the
 * frame's length field (see {@link FrameHeader}).
 * <p>
 * On the accepting side the stream must open with the {@link Preface}. A wrong preface byte, a length
 * below the header size or a length above the limit loses framing: the decoder raises a fatal
 * {@link ProtocolException}, discards everything after it, and {@link ProtocolErrorHandler} closes the
 * connection. The length is checked as soon as its four bytes arrive, so nothing is ever buffered or
 * allocated for a frame over the limit.
 * <p>
 * With a {@link ServerEdge} (a server's connections) a frame that has started arriving must be complete within
 * the edge's frame timeout, and the bytes it holds meanwhile are taken from the edge's budget shared by every
 * connection ({@link IncompleteInput}): a frame that times out or finds no room closes its connection (ERROR
 * {@code TIMEOUT} or {@code OVERLOADED}). Bytes are buffered as they arrive, never allocated ahead for the length a
 * frame claims.
 */
public final class FrameDecoder extends ByteToMessageDecoder
{
    private final int maxFrameLength;
    private final ServerEdge edge;
    private final IncompleteInput incomplete;
    private int prefaceBytesSeen;
    private boolean failed;
    private boolean heldForWrites;
    private ChannelHandlerContext context;

    /**
     * @param maxFrameLength largest frame accepted, header included.
     * @param expectPreface  true on the accepting side of a connection.
     */
    public FrameDecoder(final int maxFrameLength, final boolean expectPreface)
    {
        this(maxFrameLength, expectPreface, null);
    }

    /**
     * @param maxFrameLength largest frame accepted, header included.
     * @param expectPreface  true on the accepting side of a connection.
     * @param edge           the server's frame deadline and budget, or null for none.
     */
    public FrameDecoder(final int maxFrameLength, final boolean expectPreface, final ServerEdge edge)
    {
        this.edge = edge;
        this.incomplete = edge == null ? null : new IncompleteInput(edge, this::onFrameTimedOut);
        if (maxFrameLength < FrameHeader.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("maxFrameLength must be >= " + FrameHeader.HEADER_LENGTH);
        }
        this.maxFrameLength = maxFrameLength;
        this.prefaceBytesSeen = expectPreface ? 0 : Preface.LENGTH;
    }

    /**
     * @return the server's edge this decoder guards frames with, or null for none (a text protocol taking over the
     *         connection keeps the same guard).
     */
    public ServerEdge edge()
    {
        return edge;
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (failed)
        {
            in.skipBytes(in.readableBytes());
            return;
        }

        if (prefaceBytesSeen < Preface.LENGTH && !consumePreface(in))
        {
            return;
        }

        if (in.readableBytes() < Integer.BYTES)
        {
            onPartial(ctx, in);
            return;
        }

        if (edge != null && !ctx.channel().isWritable())
        {
            // The peer does not read its replies: the frames already read wait here, unanswered, until it does
            // (channelWritabilityChanged), so its replies stay near the high-water mark.
            heldForWrites = true;
            return;
        }

        final long frameLength = in.getUnsignedInt(in.readerIndex() + FrameHeader.LENGTH_OFFSET);
        if (frameLength > maxFrameLength)
        {
            failOnFrameTooLarge(in, frameLength);
        }
        if (frameLength < FrameHeader.HEADER_LENGTH)
        {
            failOnBadLength(in, frameLength);
        }
        if (in.readableBytes() < frameLength)
        {
            onPartial(ctx, in);
            return;
        }

        if (incomplete != null && incomplete.isPartial())
        {
            incomplete.whole();
        }
        out.add(in.readRetainedSlice((int)frameLength));
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception
    {
        ctx.fireChannelWritabilityChanged();
        if (heldForWrites && ctx.channel().isWritable() && !failed)
        {
            heldForWrites = false;
            // Decode the frames held back: an empty read runs the decode loop over what is buffered.
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        }
    }

    /**
     * @return true once the whole connection preface has arrived.
     */
    boolean prefaceReceived()
    {
        return prefaceBytesSeen == Preface.LENGTH;
    }

    /**
     * A read ended inside a frame: the bytes it holds come from the budget, and its deadline runs.
     */
    private void onPartial(final ChannelHandlerContext ctx, final ByteBuf in)
    {
        if (incomplete == null || !in.isReadable())
        {
            return;
        }
        context = ctx;
        if (!incomplete.held(ctx, in.readableBytes()))
        {
            fail(in, StatusCodes.OVERLOADED, "the server holds too many incomplete frames (budget " +
                edge.limits().incompleteFrameBudget() + " bytes); this one had " + in.readableBytes() + " bytes");
        }
    }

    private void onFrameTimedOut()
    {
        if (failed)
        {
            return;
        }
        failed = true;
        context.fireExceptionCaught(new ProtocolException(StatusCodes.TIMEOUT, true, "a frame was incomplete " +
            edge.limits().frameTimeoutMs() + " ms after it started arriving"));
    }

    @Override
    protected void handlerRemoved0(final ChannelHandlerContext ctx)
    {
        if (incomplete != null)
        {
            incomplete.release();
        }
    }

    private boolean consumePreface(final ByteBuf in)
    {
        while (prefaceBytesSeen < Preface.LENGTH && in.isReadable())
        {
            final byte actual = in.readByte();
            if (actual != Preface.byteAt(prefaceBytesSeen))
            {
                failOnBadPreface(in, actual);
            }
            prefaceBytesSeen++;
        }
        return prefaceBytesSeen == Preface.LENGTH;
    }

    private void failOnBadPreface(final ByteBuf in, final byte actual)
    {
        fail(in, StatusCodes.BAD_PREFACE, String.format(
            "byte %d of the connection preface was 0x%02X, expected 0x%02X",
            prefaceBytesSeen, actual & 0xFF, Preface.byteAt(prefaceBytesSeen) & 0xFF));
    }

    private void failOnBadLength(final ByteBuf in, final long frameLength)
    {
        fail(in, StatusCodes.BAD_FRAME, "frame length " + frameLength +
            " is below the header length " + FrameHeader.HEADER_LENGTH);
    }

    private void failOnFrameTooLarge(final ByteBuf in, final long frameLength)
    {
        fail(in, StatusCodes.FRAME_TOO_LARGE, "frame length " + frameLength +
            " exceeds the limit of " + maxFrameLength + " bytes");
    }

    private void fail(final ByteBuf in, final short status, final String message)
    {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new ProtocolException(status, true, message);
    }
}
