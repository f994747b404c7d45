package io.metrodb.mapd.resp;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The RESP bulk reply of a GET's OK answer, whose value comes either in the header's buffer or (as the request
 * handler sends it, straight from the logd's reply) in the writes after it. Values up to {@link #COPY_THRESHOLD}
 * are copied into the reply buffer; longer ones go out without a copy, as parts of a composite buffer. One per
 * connection; data-path thread only.
 */
final class ValueAssembler
{
    /** Values up to this long are copied into the reply buffer; longer ones go out without a copy. */
    static final int COPY_THRESHOLD = 16 * 1024;

    /** A GET whose value arrives in the write after its header: where it goes, how much is left. */
    private boolean awaitingValue;
    private ReplySlot valueSlot;
    private int valueSub;
    private int valueRemaining;
    private ByteBuf valueOut;

    /**
     * @return true when the next write is (part of) the value of the GET whose header came last.
     */
    boolean isValuePart(final ByteBuf buf)
    {
        return awaitingValue && (valueRemaining > 0 || !buf.isReadable());
    }

    /**
     * @return true when a GET's value is still awaited.
     */
    boolean isAwaiting()
    {
        return awaitingValue;
    }

    /**
     * A GET's OK reply: its header, and maybe its value, for binary request {@code sub} of {@code slot} (null when
     * the slot is gone: the value is then dropped).
     *
     * @return the slot that got its reply, or null when the value is still to come.
     */
    ReplySlot onHeader(
        final ChannelHandlerContext ctx, final ReplySlot slot, final int sub, final ByteBuf buf, final int at)
    {
        final int valueLength = EntryResponse.valueLength(buf, at);
        final int valueIndex = EntryResponse.valueIndex(at);
        final int inFrame = Math.max(0, Math.min(valueLength, buf.writerIndex() - valueIndex));
        valueSlot = slot;
        valueSub = sub;
        if (slot != null)
        {
            if (valueLength <= COPY_THRESHOLD)
            {
                valueOut = ctx.alloc().ioBuffer(RespReplies.bulkLength(valueLength));
                RespReplies.writeBulkHeader(valueOut, valueLength);
            }
            else
            {
                final ByteBuf header = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
                RespReplies.writeBulkHeader(header, valueLength);
                final CompositeByteBuf composite = ctx.alloc().compositeDirectBuffer(16);
                composite.addComponent(true, header);
                valueOut = composite;
            }
            if (inFrame > 0)
            {
                valueOut.writeBytes(buf, valueIndex, inFrame);
            }
        }
        if (buf.readableBytes() > FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_OFFSET)
        {
            // The whole frame in one buffer: nothing follows.
            awaitingValue = true;
            valueRemaining = 0;
            return finish(ctx);
        }
        awaitingValue = true;
        valueRemaining = valueLength;
        return null;
    }

    /**
     * Part of the awaited value; takes ownership of {@code part}.
     *
     * @return the slot that got its reply, or null when more of the value is to come.
     */
    ReplySlot onValuePart(final ChannelHandlerContext ctx, final ByteBuf part)
    {
        final int length = part.readableBytes();
        valueRemaining -= length;
        if (valueOut == null)
        {
            part.release();
        }
        else if (valueOut instanceof CompositeByteBuf)
        {
            ((CompositeByteBuf)valueOut).addComponent(true, part);
        }
        else
        {
            valueOut.writeBytes(part);
            part.release();
        }
        if (valueRemaining <= 0)
        {
            return finish(ctx);
        }
        return null;
    }

    /**
     * Ends the value (also when the next reply comes before all of it): the bulk reply goes into its slot.
     *
     * @return the slot that got its reply, or null when there is none.
     */
    ReplySlot finish(final ChannelHandlerContext ctx)
    {
        awaitingValue = false;
        final ReplySlot slot = valueSlot;
        final ByteBuf out = valueOut;
        valueSlot = null;
        valueOut = null;
        if (slot == null || out == null)
        {
            if (out != null)
            {
                out.release();
            }
            return null;
        }
        if (out instanceof CompositeByteBuf)
        {
            final ByteBuf crlf = ctx.alloc().ioBuffer(2).writeBytes(RespReplies.CRLF);
            ((CompositeByteBuf)out).addComponent(true, crlf);
        }
        else
        {
            out.writeBytes(RespReplies.CRLF);
        }
        slot.onReply(valueSub, out, false, 0);
        return slot;
    }

    /**
     * The connection is gone: frees the value being assembled.
     */
    void releaseAll()
    {
        if (valueOut != null)
        {
            valueOut.release();
            valueOut = null;
        }
        valueSlot = null;
    }
}
