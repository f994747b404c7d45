package io.metrodb.mapd.resp;

import io.metrodb.protocol.resp.RespCommand;
import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The Redis commands a mapd answers: ids, names packed into longs for an allocation-free lookup, and the static
 * {@code COMMAND} reply (name, arity, flags, first key, last key, step) that clients read for key positions.
 */
final class RespCommands
{
    static final int UNKNOWN = -1;
    static final int GET = 0;
    static final int SET = 1;
    static final int SETSAFE = 2;
    static final int DEL = 3;
    static final int EXISTS = 4;
    static final int MGET = 5;
    static final int MSET = 6;
    static final int PING = 7;
    static final int ECHO = 8;
    static final int AUTH = 9;
    static final int HELLO = 10;
    static final int SELECT = 11;
    static final int QUIT = 12;
    static final int COMMAND = 13;
    static final int INFO = 14;
    static final int DBSIZE = 15;
    static final int CONFIG = 16;
    static final int CLIENT = 17;
    static final int RESET = 18;

    /** Name, arity (negative: at least), flags, first key, last key, key step; in id order. */
    private static final Object[][] TABLE = {
        {"GET", 2, "readonly fast", 1, 1, 1},
        {"SET", -3, "write denyoom", 1, 1, 1},
        {"SETSAFE", 3, "write denyoom", 1, 1, 1},
        {"DEL", -2, "write", 1, -1, 1},
        {"EXISTS", -2, "readonly fast", 1, -1, 1},
        {"MGET", -2, "readonly fast", 1, -1, 1},
        {"MSET", -3, "write denyoom", 1, -1, 2},
        {"PING", -1, "fast", 0, 0, 0},
        {"ECHO", 2, "fast", 0, 0, 0},
        {"AUTH", -2, "noscript loading stale fast no_auth", 0, 0, 0},
        {"HELLO", -1, "noscript loading stale fast no_auth", 0, 0, 0},
        {"SELECT", 2, "loading stale fast", 0, 0, 0},
        {"QUIT", -1, "loading stale fast no_auth", 0, 0, 0},
        {"COMMAND", -1, "loading stale", 0, 0, 0},
        {"INFO", -1, "loading stale", 0, 0, 0},
        {"DBSIZE", 1, "readonly fast", 0, 0, 0},
        {"CONFIG", -2, "admin loading stale", 0, 0, 0},
        {"CLIENT", -2, "loading stale", 0, 0, 0},
        {"RESET", 1, "fast loading stale no_auth", 0, 0, 0},
    };

    static final int COUNT = TABLE.length;

    private static final long[] PACKED = new long[COUNT];
    private static final ByteBuf COMMAND_REPLY;
    private static final ByteBuf COMMAND_NAMES;

    static
    {
        final ByteBuf all = Unpooled.buffer(2048);
        final ByteBuf names = Unpooled.buffer(256);
        RespReplies.writeArrayHeader(all, COUNT);
        RespReplies.writeArrayHeader(names, COUNT);
        for (int id = 0; id < COUNT; id++)
        {
            final Object[] row = TABLE[id];
            final String name = (String)row[0];
            PACKED[id] = RespCommand.pack(name);
            RespReplies.writeBulk(names, name.toLowerCase());
            RespReplies.writeArrayHeader(all, 6);
            RespReplies.writeBulk(all, name.toLowerCase());
            RespReplies.writeInteger(all, (Integer)row[1]);
            final String[] flags = ((String)row[2]).split(" ");
            RespReplies.writeArrayHeader(all, flags.length);
            for (final String flag : flags)
            {
                all.writeByte('+').writeBytes(RespReplies.bytes(flag)).writeBytes(RespReplies.CRLF);
            }
            RespReplies.writeInteger(all, (Integer)row[3]);
            RespReplies.writeInteger(all, (Integer)row[4]);
            RespReplies.writeInteger(all, (Integer)row[5]);
        }
        COMMAND_REPLY = Unpooled.unreleasableBuffer(all.asReadOnly());
        COMMAND_NAMES = Unpooled.unreleasableBuffer(names.asReadOnly());
    }

    private RespCommands()
    {
    }

    /**
     * @return the id of the command named by argument 0, or {@link #UNKNOWN}.
     */
    static int lookup(final RespCommand command)
    {
        final long packed = command.packedName(0);
        if (packed != 0)
        {
            for (int id = 0; id < COUNT; id++)
            {
                if (PACKED[id] == packed)
                {
                    return id;
                }
            }
        }
        return UNKNOWN;
    }

    /**
     * @return true when {@code argCount} (the name included) fits the command's arity.
     */
    static boolean arityFits(final int id, final int argCount)
    {
        final int arity = (Integer)TABLE[id][1];
        return arity >= 0 ? argCount == arity : argCount >= -arity;
    }

    /**
     * @return the reply to {@code COMMAND}: every command's description (a view to write, not to release).
     */
    static ByteBuf commandReply()
    {
        return COMMAND_REPLY.duplicate();
    }

    /**
     * @return the reply to {@code COMMAND LIST}.
     */
    static ByteBuf commandNames()
    {
        return COMMAND_NAMES.duplicate();
    }
}
