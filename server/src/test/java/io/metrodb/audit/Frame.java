package io.metrodb.audit;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One protocol frame seen on a socket in the trace.
 *
 * @param bytes     the whole frame, header first (big-endian, see {@link FrameHeader}).
 * @param firstLine trace line of the syscall that carried its first byte: for a write, where that call was entered
 *                  (the earliest moment any of the frame left the process); for a read, where it returned.
 * @param lastLine  trace line of the syscall that carried its last byte (for a read: when the process had it all).
 */
record Frame(byte[] bytes, int firstLine, int lastLine)
{
    ByteBuf buffer()
    {
        return Unpooled.wrappedBuffer(bytes);
    }

    byte opcode()
    {
        return bytes[FrameHeader.OPCODE_OFFSET];
    }

    boolean hasFlag(final byte flag)
    {
        return (bytes[FrameHeader.FLAGS_OFFSET] & flag) != 0;
    }

    boolean isResponse()
    {
        return hasFlag(FrameFlags.RESPONSE);
    }

    short status()
    {
        return buffer().getShort(FrameHeader.STATUS_OFFSET);
    }

    long requestId()
    {
        return buffer().getLong(FrameHeader.REQUEST_ID_OFFSET);
    }
}
