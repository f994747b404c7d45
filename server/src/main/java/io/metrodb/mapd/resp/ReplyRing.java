package io.metrodb.mapd.resp;

import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The replies of one Redis connection in command order: a ring of {@link ReplySlot}s numbered by a sequence that
 * starts at 1 and only grows. A command takes the next slot; its binary requests carry the slot's number in their
 * ids, so a reply finds its slot whatever order replies come in, and {@link #drain} writes from the head as far as
 * the slots are complete. Grows (doubling) when every slot is taken; the handler stops parsing well before that
 * matters. Data-path thread only.
 */
final class ReplyRing
{
    private ReplySlot[] slots = new ReplySlot[64];
    private long head = 1;
    private long next = 1;
    private boolean draining;

    ReplyRing()
    {
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new ReplySlot();
        }
    }

    /**
     * @return the number of the slot taken for the next command.
     */
    long start(final byte kind, final int expected)
    {
        if (next - head == slots.length)
        {
            grow();
        }
        final long seq = next++;
        slot(seq).start(kind, expected);
        return seq;
    }

    ReplySlot slot(final long seq)
    {
        return slots[(int)seq & (slots.length - 1)];
    }

    /**
     * @return the slot numbered {@code seq} while it waits for replies, else null (answered, or never taken).
     */
    ReplySlot live(final long seq)
    {
        return seq >= head && seq < next ? slot(seq) : null;
    }

    /**
     * @return commands taken and not yet written.
     */
    int pending()
    {
        return (int)(next - head);
    }

    /**
     * Writes every complete reply at the head, in order (not flushed). Re-entrant calls (a transport that runs tasks
     * inside a write) return at once: the drain in progress writes what they would have.
     *
     * @return true when a written slot asked for the connection to close after it (the ring stops there).
     */
    boolean drain(final ChannelHandlerContext ctx)
    {
        if (draining)
        {
            return false;
        }
        draining = true;
        try
        {
            while (head < next)
            {
                final ReplySlot slot = slot(head);
                if (!slot.isDone())
                {
                    break;
                }
                emit(ctx, slot);
                final boolean close = slot.closeAfter;
                slot.release();
                head++;
                if (close)
                {
                    return true;
                }
            }
            return false;
        }
        finally
        {
            draining = false;
        }
    }

    private static void emit(final ChannelHandlerContext ctx, final ReplySlot slot)
    {
        if (slot.error != null)
        {
            ctx.write(slot.error, ctx.voidPromise());
            slot.error = null;
            return;
        }
        switch (slot.kind)
        {
            case ReplySlot.SINGLE ->
            {
                ctx.write(slot.parts[0], ctx.voidPromise());
                slot.parts[0] = null;
            }
            case ReplySlot.ARRAY ->
            {
                final ByteBuf header = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
                RespReplies.writeArrayHeader(header, slot.expected);
                ctx.write(header, ctx.voidPromise());
                for (int i = 0; i < slot.expected; i++)
                {
                    ctx.write(slot.parts[i], ctx.voidPromise());
                    slot.parts[i] = null;
                }
            }
            case ReplySlot.COUNT ->
            {
                final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
                RespReplies.writeInteger(out, slot.count);
                ctx.write(out, ctx.voidPromise());
            }
            default -> ctx.write(ctx.alloc().ioBuffer(RespReplies.OK.length).writeBytes(RespReplies.OK),
                ctx.voidPromise());
        }
    }

    /**
     * Releases every reply held; the ring is empty after (late replies find no slot).
     */
    void releaseAll()
    {
        for (long seq = head; seq < next; seq++)
        {
            slot(seq).release();
        }
        head = next;
    }

    private void grow()
    {
        final ReplySlot[] bigger = new ReplySlot[slots.length * 2];
        for (long seq = head; seq < next; seq++)
        {
            bigger[(int)seq & (bigger.length - 1)] = slot(seq);
        }
        for (int i = 0; i < bigger.length; i++)
        {
            if (bigger[i] == null)
            {
                bigger[i] = new ReplySlot();
            }
        }
        slots = bigger;
    }
}
