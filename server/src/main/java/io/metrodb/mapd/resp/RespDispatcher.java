package io.metrodb.mapd.resp;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.resp.RespCommand;
import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The inbound half of {@link RespHandler}: each parsed RESP or inline command becomes the binary request(s) the
 * binary protocol would send (GET, SET, SETSAFE, DEL, EXISTS, INFO), numbered {@code seq << 20 | sub} after its
 * {@link ReplySlot} and fired at the mapd's request handler; commands that need no data are answered by
 * {@link LocalCommands}, and bad ones get an error, both as local replies of the handler. One per connection;
 * data-path thread only.
 */
final class RespDispatcher
{
    private static final byte[] SAFE = RespReplies.bytes("SAFE");
    private static final byte[] KEEPTTL = RespReplies.bytes("KEEPTTL");
    private static final long POST = RespCommand.pack("POST");
    private static final long HOST = RespCommand.pack("HOST:");

    private final RespHandler handler;
    private final RespProtocol protocol;
    private final RespStats stats;
    private final ReplyRing ring;
    private final WriteTracker tracker;
    private final LocalCommands local;

    RespDispatcher(
        final RespHandler handler, final RespProtocol protocol, final ReplyRing ring, final WriteTracker tracker,
        final LocalCommands local)
    {
        this.handler = handler;
        this.protocol = protocol;
        this.stats = protocol.stats();
        this.ring = ring;
        this.tracker = tracker;
        this.local = local;
    }

    void dispatch(final ChannelHandlerContext ctx, final RespCommand command, final int id)
    {
        final long name = command.packedName(0);
        if (name == POST || name == HOST)
        {
            // A browser tricked into posting to this port (cross-protocol scripting): close, as redis-server does.
            stats.protocolErrors++;
            handler.closeNow(ctx);
            return;
        }
        if (!local.isAuthorized() && id != RespCommands.AUTH && id != RespCommands.HELLO &&
            id != RespCommands.QUIT && id != RespCommands.RESET)
        {
            handler.localError(ctx, RespErrors.NOAUTH);
            return;
        }
        if (id == RespCommands.UNKNOWN)
        {
            handler.localError(ctx, RespErrors.unknownCommand(command));
            return;
        }
        if (!RespCommands.arityFits(id, command.argCount()))
        {
            handler.localError(ctx, RespErrors.wrongArgumentCount(command));
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
            case RespCommands.QUIT -> handler.quit(ctx);
            default -> handler.localReply(ctx, local.answer(ctx, command, id), false);
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
                handler.localError(ctx, RespErrors.invalidKey());
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
                final int bucket = WriteTracker.bucket(command, i);
                if (tracker.isRepeatedKey(command, i, bucket))
                {
                    // DEL k k: Redis counts a key once.
                    slot.onReply(i - 1, null, false, 0);
                    continue;
                }
                tracker.started(slot, i - 1, bucket);
            }
            final int keyLength = command.argLength(i);
            final ByteBuf frame = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + KeyRequest.KEY_OFFSET + keyLength);
            KeyRequest.encode(frame, requestId(seq, i - 1), opcode, (byte)0, command.source(), command.argIndex(i),
                keyLength);
            ctx.fireChannelRead(frame);
        }
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
                handler.localError(ctx, isSetOption(option) ?
                    "ERR SET option '" + option + "' is not supported by MetroDB" : "ERR syntax error");
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
            handler.localError(ctx, "ERR wrong number of arguments for 'mset' command");
            return;
        }
        final int pairs = (command.argCount() - 1) / 2;
        for (int p = 0; p < pairs; p++)
        {
            if (!RespErrors.isValidKey(command, 1 + 2 * p) || command.argLength(2 + 2 * p) > protocol.maxValueLength())
            {
                handler.localError(ctx, RespErrors.isValidKey(command, 1 + 2 * p) ?
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
            handler.localError(ctx, RespErrors.invalidKey());
            return false;
        }
        if (command.argLength(keyArg + 1) > protocol.maxValueLength())
        {
            handler.localError(ctx, RespErrors.valueTooLarge(protocol.maxValueLength()));
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
        tracker.started(slot, sub, WriteTracker.bucket(command, keyArg));
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
        return (seq << RespHandler.SUB_BITS) | sub;
    }
}
