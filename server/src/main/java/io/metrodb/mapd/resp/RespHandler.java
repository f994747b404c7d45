package io.metrodb.mapd.resp;

import io.metrodb.protocol.netty.IncompleteInput;
import io.metrodb.protocol.netty.ReadGate;
import io.metrodb.protocol.netty.ServerEdge;
import io.metrodb.protocol.resp.RespCommand;
import io.metrodb.protocol.resp.RespException;
import io.metrodb.protocol.resp.RespParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * One Redis client of a mapd: sits in front of the mapd's request handler in place of the frame decoder and the
 * handshake. Inbound, each RESP or inline command becomes the binary request(s) the binary protocol would send
 * (GET, SET, SETSAFE, DEL, EXISTS, INFO), fired at the request handler, so routing, durability, limits and counters
 * are the binary path's; commands that need no data (PING, ECHO, AUTH, COMMAND, CONFIG GET...) are answered here.
 * Outbound, the binary replies become RESP ({@link ReplyTranslator}).
 * <p>
 * Binary replies complete out of order; Redis clients need them in order. Every command takes the next
 * {@link ReplySlot} of a ring and numbers its binary requests {@code seq << 20 | sub}: a reply fills its slot, and
 * the ring is written from its head as far as the slots are complete. The request handler flushes once per read
 * batch (and when a reply completes later); flush consolidation turns that into one syscall. Past
 * {@link #MAX_PENDING_COMMANDS} unanswered commands, parsing stops and the connection is not read until half are
 * answered.
 * <p>
 * Redis clients also expect to read their own writes: a pipelined {@code SET k v} then {@code GET k} must see v,
 * but the binary path starts the GET at once, before the SET's appends are acknowledged. So the keys of this
 * connection's writes in flight are counted in a small table of hash buckets, and a command that reads or deletes
 * a key in a busy bucket (GET, MGET, EXISTS, DEL; INFO and DBSIZE wait for every write) is not parsed until those
 * writes are answered. Writes after writes need no wait: a later write gets a newer version, and the grid keeps the
 * newest whatever order the appends complete in. A bucket collision only delays a command ({@link WriteTracker}).
 * <p>
 * Steady state GET and SET allocate only pooled buffers (the request frame, the reply) and no String. Commands
 * that need no data are {@link LocalCommands}. Commands become binary requests in {@link RespDispatcher}; a GET's
 * value becomes a bulk reply in {@link ValueAssembler}. Data-path thread only.
 */
final class RespHandler extends ChannelDuplexHandler
{
    static final int SUB_BITS = 20;
    static final long SUB_MASK = (1L << SUB_BITS) - 1;
    /** The most arguments a command may have: keys of one command are numbered below 2^20. */
    static final int MAX_ARGS = 1 << SUB_BITS;
    static final int MAX_PENDING_COMMANDS = 1024;
    /** Values up to this long are copied into the reply buffer; longer ones go out without a copy. */
    static final int COPY_THRESHOLD = ValueAssembler.COPY_THRESHOLD;

    private final RespProtocol protocol;
    private final RespStats stats;
    private final RespParser parser;
    private final ReplyRing ring = new ReplyRing();
    private final WriteTracker tracker = new WriteTracker();
    private final Runnable resumeTask = this::resume;
    private final ReplyTranslator replies;
    /** A command that has started arriving: its deadline and the bytes it holds of the server's budget; or null. */
    private final IncompleteInput incomplete;
    private ChannelHandlerContext ctx;
    private RespDispatcher dispatcher;
    private ByteBuf cumulation;
    private boolean closing;
    private boolean removed;
    private boolean parsePaused;
    private boolean waitingForWrites;
    private boolean resumeScheduled;
    private boolean processing;
    private boolean processAgain;

    /**
     * @param protocol the server's RESP settings and counters.
     * @param edge     the server's incomplete-input deadline and budget (the binary frames' own), or null for none.
     */
    RespHandler(final RespProtocol protocol, final ServerEdge edge)
    {
        this.protocol = protocol;
        this.incomplete = edge == null ? null : new IncompleteInput(edge, this::onIncompleteTimedOut);
        this.stats = protocol.stats();
        this.parser = new RespParser(protocol.maxBulkLength(), MAX_ARGS, RespParser.DEFAULT_MAX_INLINE_LENGTH);
        this.replies = new ReplyTranslator(this, ring, stats);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        stats.connectedClients++;
        stats.connectionsReceived++;
        final LocalCommands local = new LocalCommands(protocol, ++stats.nextClientId);
        dispatcher = new RespDispatcher(this, protocol, ring, tracker, local);
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        if (!removed)
        {
            removed = true;
            closing = true;
            stats.connectedClients--;
            if (incomplete != null)
            {
                incomplete.release();
            }
            releaseAll();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closing = true;
        ctx.fireChannelInactive();
    }

    // ------------------------------------------------------------------------------------------------ inbound

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf))
        {
            ctx.fireChannelRead(msg);
            return;
        }
        final ByteBuf in = (ByteBuf)msg;
        if (closing)
        {
            in.release();
            return;
        }
        cumulation = cumulation == null ? in :
            ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        if (parsePaused || waitingForWrites)
        {
            // The request handler may have turned reading back on; this connection still waits for its replies.
            ReadGate.close(ctx.channel(), ReadGate.TEXT_PROTOCOL);
            return;
        }
        processInput(ctx);
        // Inside the read batch: flush consolidation makes this one write at the batch's end, with the request
        // handler's own flushes.
        ctx.flush();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.fireChannelReadComplete();
        if ((parsePaused || waitingForWrites) && !closing)
        {
            ReadGate.close(ctx.channel(), ReadGate.TEXT_PROTOCOL);
        }
    }

    private void processInput(final ChannelHandlerContext ctx)
    {
        if (processing)
        {
            // Re-entered (a transport that runs tasks inside a write): the outer call parses on.
            processAgain = true;
            return;
        }
        processing = true;
        try
        {
            do
            {
                processAgain = false;
                parseCommands(ctx);
            }
            while (processAgain);
        }
        finally
        {
            processing = false;
        }
        if (cumulation != null)
        {
            if (!cumulation.isReadable() || closing)
            {
                cumulation.release();
                cumulation = null;
            }
            else
            {
                cumulation.discardSomeReadBytes();
            }
        }
        trackIncomplete(ctx);
    }

    /**
     * Bytes left after parsing are a command that has started arriving, unless parsing waits for this connection's
     * own replies (then they may be whole commands, held back by the server): those take budget and run a deadline.
     */
    private void trackIncomplete(final ChannelHandlerContext ctx)
    {
        if (incomplete == null || closing)
        {
            return;
        }
        if (cumulation == null || parsePaused || waitingForWrites)
        {
            incomplete.whole();
        }
        else if (!incomplete.held(ctx, cumulation.readableBytes()))
        {
            closeAfter(ctx, "ERR the server holds too many incomplete commands (budget " +
                incomplete.edge().limits().incompleteFrameBudget() + " bytes); this one had " +
                cumulation.readableBytes() + " bytes");
        }
    }

    private void onIncompleteTimedOut()
    {
        if (!closing && !removed)
        {
            closeAfter(ctx, "ERR a command was incomplete " + incomplete.edge().limits().frameTimeoutMs() +
                " ms after it started arriving");
            ctx.flush();
        }
    }

    private void parseCommands(final ChannelHandlerContext ctx)
    {
        while (!closing && !parsePaused && !waitingForWrites && cumulation != null)
        {
            final int commandStart = cumulation.readerIndex();
            final RespCommand command;
            try
            {
                command = parser.parse(cumulation);
            }
            catch (final RespException e)
            {
                stats.protocolErrors++;
                closeAfter(ctx, "ERR " + e.getMessage());
                break;
            }
            if (command == null)
            {
                break;
            }
            if (command.argCount() > 0)
            {
                final int id = RespCommands.lookup(command);
                if (tracker.mustWait(command, id))
                {
                    // Parsed again once the writes it depends on are answered.
                    cumulation.readerIndex(commandStart);
                    waitingForWrites = true;
                    ReadGate.close(ctx.channel(), ReadGate.TEXT_PROTOCOL);
                    break;
                }
                stats.commandsProcessed++;
                dispatcher.dispatch(ctx, command, id);
            }
            if (ring.pending() >= MAX_PENDING_COMMANDS)
            {
                parsePaused = true;
                ReadGate.close(ctx.channel(), ReadGate.TEXT_PROTOCOL);
            }
        }
    }

    private void scheduleResume(final ChannelHandlerContext ctx)
    {
        if (!resumeScheduled)
        {
            resumeScheduled = true;
            ctx.executor().execute(resumeTask);
        }
    }

    private void resume()
    {
        resumeScheduled = false;
        if (closing || removed)
        {
            return;
        }
        if (parsePaused && ring.pending() <= MAX_PENDING_COMMANDS / 2)
        {
            parsePaused = false;
        }
        waitingForWrites = false;
        if (parsePaused)
        {
            return;
        }
        ReadGate.open(ctx.channel(), ReadGate.TEXT_PROTOCOL);
        processInput(ctx);
        ctx.flush();
    }

    /**
     * A write of this connection is answered: a command waiting for it may be parsed.
     */
    void writeAnswered(final ChannelHandlerContext ctx, final ReplySlot slot, final int sub)
    {
        tracker.answered(slot, sub);
        if (waitingForWrites)
        {
            scheduleResume(ctx);
        }
    }

    // ------------------------------------------------------------------------------------------- local replies

    void localError(final ChannelHandlerContext ctx, final String message)
    {
        localReply(ctx, RespErrors.error(ctx, message), true, false);
    }

    void localReply(final ChannelHandlerContext ctx, final ByteBuf reply, final boolean isError)
    {
        localReply(ctx, reply, isError, false);
    }

    /**
     * @param close true to close the connection once this reply is written.
     */
    private void localReply(
        final ChannelHandlerContext ctx, final ByteBuf reply, final boolean isError, final boolean close)
    {
        final ReplySlot slot = ring.slot(ring.start(ReplySlot.SINGLE, 1));
        slot.closeAfter = close;
        slot.onReply(0, reply, isError, 0);
        drain(ctx);
    }

    /**
     * QUIT: answers OK after every reply before it, then closes.
     */
    void quit(final ChannelHandlerContext ctx)
    {
        closing = true;
        localReply(ctx, ReplyTranslator.ok(ctx), false, true);
    }

    /**
     * Closes at once, dropping the replies not written yet.
     */
    void closeNow(final ChannelHandlerContext ctx)
    {
        closing = true;
        ctx.close();
    }

    /**
     * Answers with {@code message} after every reply before it, then closes: framing is lost.
     */
    private void closeAfter(final ChannelHandlerContext ctx, final String message)
    {
        closing = true;
        localReply(ctx, RespErrors.error(ctx, message), true, true);
    }

    /**
     * Writes the complete replies at the head of the ring; resumes parsing once enough are written.
     */
    void drain(final ChannelHandlerContext ctx)
    {
        if (removed)
        {
            return;
        }
        if (ring.drain(ctx))
        {
            ctx.flush();
            ctx.close();
            return;
        }
        if (parsePaused && ring.pending() <= MAX_PENDING_COMMANDS / 2)
        {
            scheduleResume(ctx);
        }
    }

    private void releaseAll()
    {
        ring.releaseAll();
        if (cumulation != null)
        {
            cumulation.release();
            cumulation = null;
        }
        replies.releaseAll();
    }

    // ------------------------------------------------------------------------------------------- outbound

    /**
     * A binary reply from the request handler (or the error handler's last word): into its slot, as RESP
     * ({@link ReplyTranslator}).
     */
    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (!(msg instanceof ByteBuf))
        {
            ctx.write(msg, promise);
            return;
        }
        replies.onBinaryReply(ctx, (ByteBuf)msg, promise);
    }
}
