package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
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
 */
public final class FrameDecoder extends ByteToMessageDecoder
{
    private final int maxFrameLength;
    private int prefaceBytesSeen;
    private boolean failed;

    /**
     * @param maxFrameLength largest frame accepted, header included.
     * @param expectPreface  true on the accepting side of a connection.
     */
    public FrameDecoder(final int maxFrameLength, final boolean expectPreface)
    {
        if (maxFrameLength < FrameHeader.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("maxFrameLength must be >= " + FrameHeader.HEADER_LENGTH);
        }
        this.maxFrameLength = maxFrameLength;
        this.prefaceBytesSeen = expectPreface ? 0 : Preface.LENGTH;
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
            return;
        }

        out.add(in.readRetainedSlice((int)frameLength));
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
