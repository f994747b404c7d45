package io.metrodb.mapd.resp;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.resp.RespCommand;
import io.metrodb.protocol.resp.RespException;
import io.metrodb.protocol.resp.RespParser;
import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One Redis client of a mapd: sits in front of the mapd's request handler in place of the frame decoder and the
 * handshake. Inbound, each RESP or inline command becomes the binary request(s) the binary protocol would send
 * (GET, SET, SETSAFE, DEL, EXISTS, INFO), fired at the request handler, so routing, durability, limits and counters
 * are the binary path's; commands that need no data (PING, ECHO, AUTH, COMMAND, CONFIG GET...) are answered here.
 * Outbound, the binary replies become RESP.
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
 * newest whatever order the appends complete in. A bucket collision only delays a command.
 * <p>
 * Steady state GET and SET allocate only pooled buffers (the request frame, the reply) and no String. Commands
 * that need no data are {@link LocalCommands}. Data-path thread only.
 */
final class RespHandler extends ChannelDuplexHandler
{
    static final int SUB_BITS = 20;
    static final long SUB_MASK = (1L << SUB_BITS) - 1;
    /** The most arguments a command may have: keys of one command are numbered below 2^20. */
    static final int MAX_ARGS = 1 << SUB_BITS;
    static final int MAX_PENDING_COMMANDS = 1024;
    /** Values up to this long are copied into the reply buffer; longer ones go out without a copy. */
    static final int COPY_THRESHOLD = 16 * 1024;
    /** Buckets of the table of keys written and not yet answered, a power of two. */
    static final int WRITE_BUCKETS = 1024;

    private static final byte[] SAFE = RespReplies.bytes("SAFE");
    private static final byte[] KEEPTTL = RespReplies.bytes("KEEPTTL");
    private static final long POST = RespCommand.pack("POST");
    private static final long HOST = RespCommand.pack("HOST:");

    private final RespProtocol protocol;
    private final RespStats stats;
    private final RespParser parser;
    private final ReplyRing ring = new ReplyRing();
    private final Runnable resumeTask = this::resume;
    private ChannelHandlerContext ctx;
    private LocalCommands local;
    private ByteBuf cumulation;
    private boolean closing;
    private boolean removed;
    private boolean parsePaused;
    private boolean waitingForWrites;
    private final int[] writesByBucket = new int[WRITE_BUCKETS];
    private int writesInFlight;
    private boolean resumeScheduled;
    private boolean processing;
    private boolean processAgain;

    /** A GET whose value arrives in the write after its header: where it goes, how much is left. */
    private boolean awaitingValue;
    private ReplySlot valueSlot;
    private int valueSub;
    private int valueRemaining;
    private ByteBuf valueOut;

    RespHandler(final RespProtocol protocol)
    {
        this.protocol = protocol;
        this.stats = protocol.stats();
        this.parser = new RespParser(protocol.maxBulkLength(), MAX_ARGS, RespParser.DEFAULT_MAX_INLINE_LENGTH);
    }


    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        stats.connectedClients++;
        stats.connectionsReceived++;
        local = new LocalCommands(protocol, ++stats.nextClientId);
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        if (!removed)
        {
            removed = true;
            closing = true;
            stats.connectedClients--;
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
            ctx.channel().config().setAutoRead(false);
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
            ctx.channel().config().setAutoRead(false);
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
                if (writesInFlight > 0 && mustWaitForWrites(command, id))
                {
                    // Parsed again once the writes it depends on are answered.
                    cumulation.readerIndex(commandStart);
                    waitingForWrites = true;
                    ctx.channel().config().setAutoRead(false);
                    break;
                }
                stats.commandsProcessed++;
                dispatch(ctx, command, id);
            }
            if (ring.pending() >= MAX_PENDING_COMMANDS)
            {
                parsePaused = true;
                ctx.channel().config().setAutoRead(false);
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
        ctx.channel().config().setAutoRead(true);
        processInput(ctx);
        ctx.flush();
    }

    /**
     * @return true when the command reads or deletes a key this connection is still writing (or, for INFO and
     * DBSIZE, when it writes anything).
     */
    private boolean mustWaitForWrites(final RespCommand command, final int id)
    {
        switch (id)
        {
            case RespCommands.GET, RespCommands.MGET, RespCommands.EXISTS, RespCommands.DEL ->
            {
                for (int i = 1; i < command.argCount(); i++)
                {
                    if (writesByBucket[bucket(command, i)] > 0)
                    {
                        return true;
                    }
                }
                return false;
            }
            case RespCommands.INFO, RespCommands.DBSIZE ->
            {
                return true;
            }
            default ->
            {
                return false;
            }
        }
    }

    private static int bucket(final RespCommand command, final int arg)
    {
        final ByteBuf source = command.source();
        final int index = command.argIndex(arg);
        final int length = command.argLength(arg);
        int hash = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ source.getByte(index + i)) * 0x01000193;
        }
        return (hash ^ (hash >>> 16)) & (WRITE_BUCKETS - 1);
    }

    private void writeStarted(final ReplySlot slot, final int sub, final int bucket)
    {
        slot.buckets[sub] = bucket;
        writesByBucket[bucket]++;
        writesInFlight++;
    }

    private void writeAnswered(final ChannelHandlerContext ctx, final ReplySlot slot, final int sub)
    {
        writesByBucket[slot.buckets[sub]]--;
        writesInFlight--;
        if (waitingForWrites)
        {
            scheduleResume(ctx);
        }
    }

    private void dispatch(final ChannelHandlerContext ctx, final RespCommand command, final int id)
    {
        final long name = command.packedName(0);
        if (name == POST || name == HOST)
        {
            // A browser tricked into posting to this port (cross-protocol scripting): close, as redis-server does.
            stats.protocolErrors++;
            closing = true;
            ctx.close();
            return;
        }
        if (!local.isAuthorized() && id != RespCommands.AUTH && id != RespCommands.HELLO &&
            id != RespCommands.QUIT && id != RespCommands.RESET)
        {
            localError(ctx, RespErrors.NOAUTH);
            return;
        }
        if (id == RespCommands.UNKNOWN)
        {
            localError(ctx, RespErrors.unknownCommand(command));
            return;
        }
        if (!RespCommands.arityFits(id, command.argCount()))
        {
            localError(ctx, RespErrors.wrongArgumentCount(command));
            return;
        }
        switch (id)
        {
            case RespCommands.GET -> onKeys(ctx, command, Opcodes.GET, ReplySlot.SINGLE);
            case RespCommands.SET -> onSet(ctx, command);
            case RespCommands.SETSAFE -> onSetSafe(ctx, command);
            case RespCommands.DEL -> onKeys(ctx, command, Opcodes.DEL, ReplySlot.COUNT);
            case RespCommands.EXISTS -> onKeys(ctx, command, Opcodes.EXISTS, ReplySlot.COUNT);
            case RespCommands.MGET -> onKeys(ctx, command, Opcodes.GET, ReplySlot.ARRAY);
            case RespCommands.MSET -> onMset(ctx, command);
            case RespCommands.INFO -> onInfo(ctx, RespInfo.sections(command));
            case RespCommands.DBSIZE -> onInfo(ctx, RespInfo.DBSIZE);
            case RespCommands.QUIT ->
            {
                closing = true;
                localReply(ctx, ok(ctx), false, true);
            }
            default -> localReply(ctx, local.answer(ctx, command, id), false);
        }
    }

    /**
     * GET, MGET, DEL, EXISTS: one binary request per key, answered together.
     */
    private void onKeys(final ChannelHandlerContext ctx, final RespCommand command, final byte opcode, final byte kind)
    {
        final int keys = command.argCount() - 1;
        for (int i = 1; i <= keys; i++)
        {
            if (!RespErrors.isValidKey(command, i))
            {
                localError(ctx, RespErrors.invalidKey());
                return;
            }
        }
        final long seq = ring.start(kind, keys);
        final ReplySlot slot = ring.slot(seq);
        final boolean delete = opcode == Opcodes.DEL;
        if (delete)
        {
            slot.tracksWrites();
        }
        for (int i = 1; i <= keys; i++)
        {
            if (delete)
            {
                final int bucket = bucket(command, i);
                if (writesByBucket[bucket] > 0 && isEarlierKey(command, i))
                {
                    // DEL k k: Redis counts a key once.
                    slot.onReply(i - 1, null, false, 0);
                    continue;
                }
                writeStarted(slot, i - 1, bucket);
            }
            final int keyLength = command.argLength(i);
            final ByteBuf frame = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + KeyRequest.KEY_OFFSET + keyLength);
            KeyRequest.encode(frame, requestId(seq, i - 1), opcode, (byte)0, command.source(), command.argIndex(i),
                keyLength);
            ctx.fireChannelRead(frame);
        }
    }

    private static boolean isEarlierKey(final RespCommand command, final int arg)
    {
        final ByteBuf source = command.source();
        for (int i = 1; i < arg; i++)
        {
            if (command.argLength(i) == command.argLength(arg) &&
                ByteBufUtil.equals(source, command.argIndex(i), source, command.argIndex(arg), command.argLength(arg)))
            {
                return true;
            }
        }
        return false;
    }

    private void onSet(final ChannelHandlerContext ctx, final RespCommand command)
    {
        boolean durable = false;
        for (int i = 3; i < command.argCount(); i++)
        {
            if (command.argIs(i, SAFE))
            {
                durable = true;
            }
            else if (!command.argIs(i, KEEPTTL))
            {
                // MetroDB keeps no TTLs (KEEPTTL keeps none) and has no conditional or read-back SET.
                final String option = new String(command.argBytes(i), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
                localError(ctx, isSetOption(option) ? "ERR SET option '" + option + "' is not supported by MetroDB" :
                    "ERR syntax error");
                return;
            }
        }
        if (checkKeyAndValue(ctx, command, 1))
        {
            sendSet(ctx, durable ? Opcodes.SETSAFE : Opcodes.SET, command, 1, ring.start(ReplySlot.SINGLE, 1), 0);
        }
    }

    private static boolean isSetOption(final String option)
    {
        return switch (option)
        {
            case "NX", "XX", "EX", "PX", "EXAT", "PXAT", "GET" -> true;
            default -> false;
        };
    }

    private void onSetSafe(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (checkKeyAndValue(ctx, command, 1))
        {
            sendSet(ctx, Opcodes.SETSAFE, command, 1, ring.start(ReplySlot.SINGLE, 1), 0);
        }
    }

    private void onMset(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if ((command.argCount() & 1) == 0)
        {
            localError(ctx, "ERR wrong number of arguments for 'mset' command");
            return;
        }
        final int pairs = (command.argCount() - 1) / 2;
        for (int p = 0; p < pairs; p++)
        {
            if (!RespErrors.isValidKey(command, 1 + 2 * p) || command.argLength(2 + 2 * p) > protocol.maxValueLength())
            {
                localError(ctx, RespErrors.isValidKey(command, 1 + 2 * p) ?
                    RespErrors.valueTooLarge(protocol.maxValueLength()) : RespErrors.invalidKey());
                return;
            }
        }
        final long seq = ring.start(ReplySlot.ALL_OK, pairs);
        for (int p = 0; p < pairs; p++)
        {
            sendSet(ctx, Opcodes.SET, command, 1 + 2 * p, seq, p);
        }
    }

    private boolean checkKeyAndValue(final ChannelHandlerContext ctx, final RespCommand command, final int keyArg)
    {
        if (!RespErrors.isValidKey(command, keyArg))
        {
            localError(ctx, RespErrors.invalidKey());
            return false;
        }
        if (command.argLength(keyArg + 1) > protocol.maxValueLength())
        {
            localError(ctx, RespErrors.valueTooLarge(protocol.maxValueLength()));
            return false;
        }
        return true;
    }

    private void sendSet(
        final ChannelHandlerContext ctx, final byte opcode, final RespCommand command, final int keyArg, final long seq,
        final int sub)
    {
        final ReplySlot slot = ring.slot(seq);
        if (!slot.writes)
        {
            slot.tracksWrites();
        }
        writeStarted(slot, sub, bucket(command, keyArg));
        final int keyLength = command.argLength(keyArg);
        final int valueLength = command.argLength(keyArg + 1);
        final ByteBuf frame =
            ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + SetRequest.KEY_OFFSET + keyLength + valueLength);
        SetRequest.encode(frame, requestId(seq, sub), opcode, command.source(), command.argIndex(keyArg), keyLength,
            command.source(), command.argIndex(keyArg + 1), valueLength);
        ctx.fireChannelRead(frame);
    }

    private void onInfo(final ChannelHandlerContext ctx, final int sections)
    {
        final long seq = ring.start(ReplySlot.SINGLE, 1);
        ring.slot(seq).info = sections;
        final ByteBuf frame = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + Info.SECTION_OFFSET);
        Info.encodeRequest(frame, requestId(seq, 0), "");
        ctx.fireChannelRead(frame);
    }

    private static long requestId(final long seq, final int sub)
    {
        return (seq << SUB_BITS) | sub;
    }

    // ------------------------------------------------------------------------------------------- local replies

    private void localError(final ChannelHandlerContext ctx, final String message)
    {
        localReply(ctx, RespErrors.error(ctx, message), true, false);
    }

    private void localReply(final ChannelHandlerContext ctx, final ByteBuf reply, final boolean isError)
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
    private void drain(final ChannelHandlerContext ctx)
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
        if (valueOut != null)
        {
            valueOut.release();
            valueOut = null;
        }
        valueSlot = null;
    }

    // ------------------------------------------------------------------------------------------- outbound

    /**
     * A binary reply from the request handler (or the error handler's last word): into its slot, as RESP.
     */
    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (!(msg instanceof ByteBuf))
        {
            ctx.write(msg, promise);
            return;
        }
        final ByteBuf buf = (ByteBuf)msg;
        if (awaitingValue && (valueRemaining > 0 || !buf.isReadable()))
        {
            onValuePart(ctx, buf);
            promise.trySuccess();
            return;
        }
        if (awaitingValue)
        {
            finishValue(ctx);
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
        final long seq = requestId >>> SUB_BITS;
        final int sub = (int)(requestId & SUB_MASK);
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
            onGetHeader(ctx, slot, sub, buf, at);
            return;
        }
        if (slot == null)
        {
            return;
        }
        if (slot.writes)
        {
            writeAnswered(ctx, slot, sub);
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
            drain(ctx);
        }
    }

    /**
     * @return a binary error status as Redis error text: {@code ERR NOT_ENOUGH_REPLICAS <the frame's message>}.
     */
    private static String binaryError(final short status, final ByteBuf buf, final int at)
    {
        return "ERR " + StatusCodes.name(status) + " " + ErrorPayload.message(buf, at);
    }

    private static ByteBuf ok(final ChannelHandlerContext ctx)
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

    /**
     * A GET's OK reply: its header, and its value either in the same buffer or (as the request handler sends it,
     * straight from the logd's reply) in the next write.
     */
    private void onGetHeader(
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
            finishValue(ctx);
            return;
        }
        awaitingValue = true;
        valueRemaining = valueLength;
    }

    private void onValuePart(final ChannelHandlerContext ctx, final ByteBuf part)
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
            finishValue(ctx);
        }
    }

    private void finishValue(final ChannelHandlerContext ctx)
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
            return;
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
        if (slot.isDone())
        {
            drain(ctx);
        }
    }
}
