package io.metrodb.mapd.resp;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
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
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 * Steady state GET and SET allocate only pooled buffers (the request frame, the reply) and no String. Data-path
 * thread only.
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
    private static final byte[] GET_OPTION = RespReplies.bytes("GET");
    private static final byte[] AUTH_OPTION = RespReplies.bytes("AUTH");
    private static final byte[] SETNAME = RespReplies.bytes("SETNAME");
    private static final byte[] GETNAME = RespReplies.bytes("GETNAME");
    private static final byte[] SETINFO = RespReplies.bytes("SETINFO");
    private static final byte[] ID = RespReplies.bytes("ID");
    private static final byte[] COUNT = RespReplies.bytes("COUNT");
    private static final byte[] DOCS = RespReplies.bytes("DOCS");
    private static final byte[] LIST = RespReplies.bytes("LIST");
    private static final byte[] DEFAULT_USER = RespReplies.bytes("default");
    private static final byte[] RESET = RespReplies.bytes("+RESET\r\n");
    private static final String[][] CONFIG = {
        {"save", ""},
        {"appendonly", "no"},
        {"databases", "1"},
        {"maxmemory", "0"},
        {"maxmemory-policy", "noeviction"},
        {"timeout", "0"},
        {"maxclients", "10000"},
        {"cluster-enabled", "no"},
    };
    private static final long POST = RespCommand.pack("POST");
    private static final long HOST = RespCommand.pack("HOST:");
    private static final String NOAUTH = "NOAUTH Authentication required.";
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

    private final RespProtocol protocol;
    private final RespStats stats;
    private final RespParser parser;
    private ReplySlot[] ring = new ReplySlot[64];
    private long headSeq = 1;
    private long nextSeq = 1;
    private ByteBuf cumulation;
    private boolean authorized;
    private boolean closing;
    private boolean removed;
    private boolean parsePaused;
    private boolean waitingForWrites;
    private final int[] writesByBucket = new int[WRITE_BUCKETS];
    private int writesInFlight;
    private boolean resumeScheduled;
    private byte[] clientName;
    private long clientId;

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
        this.authorized = protocol.token().length == 0;
        for (int i = 0; i < ring.length; i++)
        {
            ring[i] = new ReplySlot();
        }
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        stats.connectedClients++;
        stats.connectionsReceived++;
        clientId = ++stats.nextClientId;
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
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        if (parsePaused || waitingForWrites)
        {
            // The request handler may have turned reading back on; this connection still waits for its replies.
            ctx.channel().config().setAutoRead(false);
            return;
        }
        processInput(ctx);
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
            if (nextSeq - headSeq >= MAX_PENDING_COMMANDS)
            {
                parsePaused = true;
                ctx.channel().config().setAutoRead(false);
            }
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

    private void scheduleResume(final ChannelHandlerContext ctx)
    {
        if (!resumeScheduled)
        {
            resumeScheduled = true;
            ctx.executor().execute(() -> resume(ctx));
        }
    }

    private void resume(final ChannelHandlerContext ctx)
    {
        resumeScheduled = false;
        if (closing || removed)
        {
            return;
        }
        if (parsePaused && nextSeq - headSeq <= MAX_PENDING_COMMANDS / 2)
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
        if (!authorized && id != RespCommands.AUTH && id != RespCommands.HELLO && id != RespCommands.QUIT &&
            id != RespCommands.RESET)
        {
            localError(ctx, NOAUTH);
            return;
        }
        if (id == RespCommands.UNKNOWN)
        {
            localError(ctx, unknownCommand(command));
            return;
        }
        if (!RespCommands.arityFits(id, command.argCount()))
        {
            localError(ctx, "ERR wrong number of arguments for '" + lowerName(command, 0) + "' command");
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
            case RespCommands.PING -> onPing(ctx, command);
            case RespCommands.ECHO -> localBulk(ctx, command, 1);
            case RespCommands.AUTH -> onAuth(ctx, command);
            case RespCommands.HELLO -> onHello(ctx, command);
            case RespCommands.SELECT -> onSelect(ctx, command);
            case RespCommands.QUIT -> onQuit(ctx);
            case RespCommands.COMMAND -> onCommand(ctx, command);
            case RespCommands.INFO -> onInfo(ctx, RespInfo.sections(command));
            case RespCommands.DBSIZE -> onInfo(ctx, RespInfo.DBSIZE);
            case RespCommands.CONFIG -> onConfig(ctx, command);
            case RespCommands.CLIENT -> onClient(ctx, command);
            case RespCommands.RESET -> onReset(ctx);
            default -> localError(ctx, unknownCommand(command));
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
            if (!isValidKey(command, i))
            {
                localError(ctx, invalidKey());
                return;
            }
        }
        final long seq = startSlot(kind, keys);
        final ReplySlot slot = slotOf(seq);
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
            sendSet(ctx, durable ? Opcodes.SETSAFE : Opcodes.SET, command, 1, startSlot(ReplySlot.SINGLE, 1), 0);
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
            sendSet(ctx, Opcodes.SETSAFE, command, 1, startSlot(ReplySlot.SINGLE, 1), 0);
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
            if (!isValidKey(command, 1 + 2 * p) || command.argLength(2 + 2 * p) > protocol.maxValueLength())
            {
                localError(ctx, isValidKey(command, 1 + 2 * p) ? valueTooLarge() : invalidKey());
                return;
            }
        }
        final long seq = startSlot(ReplySlot.ALL_OK, pairs);
        for (int p = 0; p < pairs; p++)
        {
            sendSet(ctx, Opcodes.SET, command, 1 + 2 * p, seq, p);
        }
    }

    private boolean checkKeyAndValue(final ChannelHandlerContext ctx, final RespCommand command, final int keyArg)
    {
        if (!isValidKey(command, keyArg))
        {
            localError(ctx, invalidKey());
            return false;
        }
        if (command.argLength(keyArg + 1) > protocol.maxValueLength())
        {
            localError(ctx, valueTooLarge());
            return false;
        }
        return true;
    }

    private void sendSet(
        final ChannelHandlerContext ctx, final byte opcode, final RespCommand command, final int keyArg, final long seq,
        final int sub)
    {
        final ReplySlot slot = slotOf(seq);
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
        final long seq = startSlot(ReplySlot.SINGLE, 1);
        slotOf(seq).info = sections;
        final ByteBuf frame = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + Info.SECTION_OFFSET);
        Info.encodeRequest(frame, requestId(seq, 0), "");
        ctx.fireChannelRead(frame);
    }

    private void onPing(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() > 2)
        {
            localError(ctx, "ERR wrong number of arguments for 'ping' command");
        }
        else if (command.argCount() == 2)
        {
            localBulk(ctx, command, 1);
        }
        else
        {
            localReply(ctx, RespReplies.PONG);
        }
    }

    private void onAuth(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() > 3)
        {
            localError(ctx, "ERR syntax error");
            return;
        }
        if (protocol.token().length == 0 && command.argCount() == 2)
        {
            localError(ctx, "ERR AUTH <password> called without any password configured for the default user. " +
                "Are you sure your configuration is correct?");
            return;
        }
        if (authenticate(command, command.argCount() == 3 ? 1 : -1, command.argCount() - 1))
        {
            localReply(ctx, RespReplies.OK);
        }
        else
        {
            localError(ctx, WRONGPASS);
        }
    }

    /**
     * @return true, and the connection authorized, when the password matches the mapd's token (any password when
     * it has none) and the user, if given, is {@code default}.
     */
    private boolean authenticate(final RespCommand command, final int userArg, final int passwordArg)
    {
        if (userArg >= 0 && !java.util.Arrays.equals(command.argBytes(userArg), DEFAULT_USER))
        {
            return false;
        }
        if (protocol.token().length > 0 && !MessageDigest.isEqual(command.argBytes(passwordArg), protocol.token()))
        {
            return false;
        }
        authorized = true;
        return true;
    }

    /**
     * HELLO [protover [AUTH user password] [SETNAME name]]: RESP2 only; {@code HELLO 3} is refused with NOPROTO,
     * which clients take as "speak RESP2".
     */
    private void onHello(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() >= 2)
        {
            final long version = command.argAsLong(1, -1);
            if (version < 1)
            {
                localError(ctx, "ERR Protocol version is not an integer or out of range");
                return;
            }
            if (version != 2)
            {
                localError(ctx, "NOPROTO unsupported protocol version");
                return;
            }
        }
        byte[] name = null;
        for (int i = 2; i < command.argCount(); i++)
        {
            if (command.argIs(i, AUTH_OPTION) && i + 2 < command.argCount())
            {
                if (!authenticate(command, i + 1, i + 2))
                {
                    localError(ctx, WRONGPASS);
                    return;
                }
                i += 2;
            }
            else if (command.argIs(i, SETNAME) && i + 1 < command.argCount())
            {
                name = command.argBytes(++i);
            }
            else
            {
                localError(ctx, "ERR Syntax error in HELLO option '" + lowerName(command, i) + "'");
                return;
            }
        }
        if (!authorized)
        {
            localError(ctx, "NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
                "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the " +
                "RESP protocol version at the same time");
            return;
        }
        if (name != null)
        {
            clientName = name;
        }
        final ByteBuf out = ctx.alloc().ioBuffer(160);
        RespReplies.writeArrayHeader(out, 14);
        RespReplies.writeBulk(out, "server");
        RespReplies.writeBulk(out, "redis");
        RespReplies.writeBulk(out, "version");
        RespReplies.writeBulk(out, RespInfo.REDIS_VERSION);
        RespReplies.writeBulk(out, "proto");
        RespReplies.writeInteger(out, 2);
        RespReplies.writeBulk(out, "id");
        RespReplies.writeInteger(out, clientId);
        RespReplies.writeBulk(out, "mode");
        RespReplies.writeBulk(out, "standalone");
        RespReplies.writeBulk(out, "role");
        RespReplies.writeBulk(out, "master");
        RespReplies.writeBulk(out, "modules");
        out.writeBytes(RespReplies.EMPTY_ARRAY);
        localReply(ctx, out, false);
    }

    private void onSelect(final ChannelHandlerContext ctx, final RespCommand command)
    {
        final long db = command.argAsLong(1, -1);
        if (db == 0)
        {
            localReply(ctx, RespReplies.OK);
        }
        else
        {
            localError(ctx, db < 0 ? "ERR value is not an integer or out of range" : "ERR DB index is out of range");
        }
    }

    private void onQuit(final ChannelHandlerContext ctx)
    {
        closing = true;
        localReply(ctx, ctx.alloc().ioBuffer(RespReplies.OK.length).writeBytes(RespReplies.OK), false, true);
    }

    private void onReset(final ChannelHandlerContext ctx)
    {
        clientName = null;
        authorized = protocol.token().length == 0;
        localReply(ctx, RESET);
    }

    private void onCommand(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() == 1)
        {
            final ByteBuf all = RespCommands.commandReply();
            localReply(ctx, ctx.alloc().ioBuffer(all.readableBytes()).writeBytes(all), false);
        }
        else if (command.argIs(1, COUNT))
        {
            final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
            RespReplies.writeInteger(out, RespCommands.COUNT);
            localReply(ctx, out, false);
        }
        else if (command.argIs(1, DOCS))
        {
            // No docs: redis-cli then uses its own help for hints.
            localReply(ctx, RespReplies.EMPTY_ARRAY);
        }
        else if (command.argIs(1, LIST))
        {
            final ByteBuf names = RespCommands.commandNames();
            localReply(ctx, ctx.alloc().ioBuffer(names.readableBytes()).writeBytes(names), false);
        }
        else
        {
            localError(ctx, unknownSubcommand(command, "COMMAND"));
        }
    }

    /**
     * CONFIG GET pattern...: the few settings clients and redis-benchmark read, as name/value pairs.
     */
    private void onConfig(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (!command.argIs(1, GET_OPTION))
        {
            final String sub = lowerName(command, 1).toUpperCase(Locale.ROOT);
            localError(ctx, sub.equals("SET") || sub.equals("RESETSTAT") || sub.equals("REWRITE") ?
                "ERR CONFIG " + sub + " is not supported by MetroDB" : unknownSubcommand(command, "CONFIG"));
            return;
        }
        if (command.argCount() < 3)
        {
            localError(ctx, "ERR wrong number of arguments for 'config|get' command");
            return;
        }
        final String[][] values = configValues();
        final boolean[] matched = new boolean[values.length];
        int count = 0;
        for (int i = 2; i < command.argCount(); i++)
        {
            final String pattern = new String(command.argBytes(i), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            for (int v = 0; v < values.length; v++)
            {
                if (!matched[v] && globMatches(pattern, 0, values[v][0], 0))
                {
                    matched[v] = true;
                    count++;
                }
            }
        }
        final ByteBuf out = ctx.alloc().ioBuffer(64 + count * 48);
        RespReplies.writeArrayHeader(out, count * 2);
        for (int v = 0; v < values.length; v++)
        {
            if (matched[v])
            {
                RespReplies.writeBulk(out, values[v][0]);
                RespReplies.writeBulk(out, values[v][1]);
            }
        }
        localReply(ctx, out, false);
    }

    private String[][] configValues()
    {
        final String[][] values = java.util.Arrays.copyOf(CONFIG, CONFIG.length + 1);
        values[CONFIG.length] = new String[] {"proto-max-bulk-len", Integer.toString(protocol.maxBulkLength())};
        return values;
    }

    /**
     * Redis's glob subset for CONFIG GET: {@code *} and {@code ?}.
     */
    static boolean globMatches(final String pattern, final int p, final String text, final int t)
    {
        if (p == pattern.length())
        {
            return t == text.length();
        }
        final char c = pattern.charAt(p);
        if (c == '*')
        {
            for (int i = t; i <= text.length(); i++)
            {
                if (globMatches(pattern, p + 1, text, i))
                {
                    return true;
                }
            }
            return false;
        }
        return t < text.length() && (c == '?' || c == text.charAt(t)) && globMatches(pattern, p + 1, text, t + 1);
    }

    private void onClient(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argIs(1, SETNAME) && command.argCount() == 3)
        {
            final byte[] name = command.argBytes(2);
            for (final byte b : name)
            {
                if (b <= ' ' || b > '~')
                {
                    localError(ctx, "ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
            }
            clientName = name.length == 0 ? null : name;
            localReply(ctx, RespReplies.OK);
        }
        else if (command.argIs(1, GETNAME) && command.argCount() == 2)
        {
            if (clientName == null)
            {
                localReply(ctx, RespReplies.NULL_BULK);
            }
            else
            {
                final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.bulkLength(clientName.length));
                RespReplies.writeBulk(out, clientName);
                localReply(ctx, out, false);
            }
        }
        else if (command.argIs(1, SETINFO) && command.argCount() == 4)
        {
            localReply(ctx, RespReplies.OK);
        }
        else if (command.argIs(1, ID) && command.argCount() == 2)
        {
            final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
            RespReplies.writeInteger(out, clientId);
            localReply(ctx, out, false);
        }
        else
        {
            localError(ctx, unknownSubcommand(command, "CLIENT"));
        }
    }

    // ------------------------------------------------------------------------------------------- local replies

    private void localReply(final ChannelHandlerContext ctx, final byte[] reply)
    {
        localReply(ctx, ctx.alloc().ioBuffer(reply.length).writeBytes(reply), false);
    }

    private void localBulk(final ChannelHandlerContext ctx, final RespCommand command, final int arg)
    {
        final int length = command.argLength(arg);
        final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.bulkLength(length));
        RespReplies.writeBulk(out, command.source(), command.argIndex(arg), length);
        localReply(ctx, out, false);
    }

    private void localError(final ChannelHandlerContext ctx, final String message)
    {
        localReply(ctx, error(ctx, message), true);
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
        final ReplySlot slot = slotOf(startSlot(ReplySlot.SINGLE, 1));
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
        localReply(ctx, error(ctx, message), true, true);
    }

    private static ByteBuf error(final ChannelHandlerContext ctx, final String message)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(message.length() + 8);
        RespReplies.writeError(out, message);
        return out;
    }

    private static boolean isValidKey(final RespCommand command, final int arg)
    {
        final int length = command.argLength(arg);
        return length >= ProtocolLimits.MIN_KEY_LENGTH && length <= ProtocolLimits.MAX_KEY_LENGTH;
    }

    private static String invalidKey()
    {
        return "ERR invalid key: MetroDB keys are " + ProtocolLimits.MIN_KEY_LENGTH + ".." +
            ProtocolLimits.MAX_KEY_LENGTH + " bytes";
    }

    private String valueTooLarge()
    {
        return "ERR value longer than this mapd's --max-value (" + protocol.maxValueLength() + " bytes)";
    }

    /**
     * As redis-server: {@code ERR unknown command 'name', with args beginning with: 'a' 'b' }.
     */
    private static String unknownCommand(final RespCommand command)
    {
        final StringBuilder text = new StringBuilder(64).append("ERR unknown command '")
            .append(truncated(command, 0)).append("', with args beginning with: ");
        for (int i = 1; i < command.argCount() && text.length() < 512; i++)
        {
            text.append('\'').append(truncated(command, i)).append("' ");
        }
        return text.toString();
    }

    private static String unknownSubcommand(final RespCommand command, final String name)
    {
        return "ERR unknown subcommand '" + truncated(command, 1) + "'. Try " + name + " HELP.";
    }

    private static String truncated(final RespCommand command, final int arg)
    {
        final int length = Math.min(128, command.argLength(arg));
        return command.source().toString(command.argIndex(arg), length, StandardCharsets.UTF_8);
    }

    private static String lowerName(final RespCommand command, final int arg)
    {
        return truncated(command, arg).toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------------------------------- reply ring

    private static long requestId(final long seq, final int sub)
    {
        return (seq << SUB_BITS) | sub;
    }

    private ReplySlot slotOf(final long seq)
    {
        return ring[(int)seq & (ring.length - 1)];
    }

    private long startSlot(final byte kind, final int expected)
    {
        if (nextSeq - headSeq == ring.length)
        {
            grow();
        }
        final long seq = nextSeq++;
        slotOf(seq).start(kind, expected);
        return seq;
    }

    private void grow()
    {
        final ReplySlot[] bigger = new ReplySlot[ring.length * 2];
        for (long seq = headSeq; seq < nextSeq; seq++)
        {
            bigger[(int)seq & (bigger.length - 1)] = slotOf(seq);
        }
        for (int i = 0; i < bigger.length; i++)
        {
            if (bigger[i] == null)
            {
                bigger[i] = new ReplySlot();
            }
        }
        ring = bigger;
    }

    /**
     * Writes every complete reply at the head of the ring, in order.
     */
    private void drain(final ChannelHandlerContext ctx)
    {
        while (headSeq < nextSeq && !removed)
        {
            final ReplySlot slot = slotOf(headSeq);
            if (!slot.isDone())
            {
                break;
            }
            emit(ctx, slot);
            final boolean close = slot.closeAfter;
            slot.release();
            headSeq++;
            if (close)
            {
                ctx.flush();
                ctx.close();
                return;
            }
        }
        if (parsePaused && nextSeq - headSeq <= MAX_PENDING_COMMANDS / 2)
        {
            scheduleResume(ctx);
        }
    }

    private void emit(final ChannelHandlerContext ctx, final ReplySlot slot)
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

    private void releaseAll()
    {
        for (long seq = headSeq; seq < nextSeq; seq++)
        {
            slotOf(seq).release();
        }
        headSeq = nextSeq;
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
            final ByteBuf out = error(ctx, "ERR " + StatusCodes.name(status) + " " + ErrorPayload.message(buf, at));
            buf.release();
            ctx.write(out, promise);
            return;
        }
        final long seq = requestId >>> SUB_BITS;
        final int sub = (int)(requestId & SUB_MASK);
        final ReplySlot slot = seq >= headSeq && seq < nextSeq ? slotOf(seq) : null;
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
            slot.onReply(sub, error(ctx, "ERR " + StatusCodes.name(status) + " " + ErrorPayload.message(buf, at)),
                true, 0);
        }
        else
        {
            switch (opcode)
            {
                case Opcodes.GET -> slot.onReply(sub, nullBulk(ctx), false, 0);
                case Opcodes.SET, Opcodes.SETSAFE -> slot.onReply(sub,
                    slot.kind == ReplySlot.SINGLE ? ctx.alloc().ioBuffer(5).writeBytes(RespReplies.OK) : null, false, 0);
                case Opcodes.DEL, Opcodes.EXISTS -> slot.onReply(sub, null, false, status == StatusCodes.OK ? 1 : 0);
                case Opcodes.INFO -> slot.onReply(sub, infoReply(ctx, slot.info, buf, at), false, 0);
                default -> slot.onReply(sub, error(ctx, "ERR unexpected reply to " + Opcodes.name(opcode)), true, 0);
            }
        }
        if (slot.isDone())
        {
            drain(ctx);
        }
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
