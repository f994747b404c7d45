package io.metrodb.mapd.resp;

import io.metrodb.protocol.resp.RespCommand;
import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;

/**
 * The commands of one Redis connection that need no data: PING, ECHO, AUTH, HELLO, SELECT, RESET, COMMAND,
 * CONFIG GET and CLIENT, with the connection's state they read and change (authorized, client name and id).
 * Each answers with a reply buffer (an error reply included) for the connection's reply ring. Not on the hot path.
 */
final class LocalCommands
{
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
    static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

    private final RespProtocol protocol;
    private final long clientId;
    private boolean authorized;
    private byte[] clientName;

    LocalCommands(final RespProtocol protocol, final long clientId)
    {
        this.protocol = protocol;
        this.clientId = clientId;
        this.authorized = protocol.token().length == 0;
    }

    /**
     * @return true once AUTH (or HELLO ... AUTH) presented the mapd's token, or at once when it has none.
     */
    boolean isAuthorized()
    {
        return authorized;
    }

    /**
     * @param id a {@link RespCommands} id answered here.
     * @return the reply to {@code command}, owned by the caller.
     */
    ByteBuf answer(final ChannelHandlerContext ctx, final RespCommand command, final int id)
    {
        return switch (id)
        {
            case RespCommands.PING -> onPing(ctx, command);
            case RespCommands.ECHO -> bulk(ctx, command, 1);
            case RespCommands.AUTH -> onAuth(ctx, command);
            case RespCommands.HELLO -> onHello(ctx, command);
            case RespCommands.SELECT -> onSelect(ctx, command);
            case RespCommands.RESET -> onReset(ctx);
            case RespCommands.COMMAND -> onCommand(ctx, command);
            case RespCommands.CONFIG -> onConfig(ctx, command);
            case RespCommands.CLIENT -> onClient(ctx, command);
            default -> RespErrors.error(ctx, RespErrors.unknownCommand(command));
        };
    }

    private static ByteBuf copy(final ChannelHandlerContext ctx, final byte[] reply)
    {
        return ctx.alloc().ioBuffer(reply.length).writeBytes(reply);
    }

    private static ByteBuf bulk(final ChannelHandlerContext ctx, final RespCommand command, final int arg)
    {
        final int length = command.argLength(arg);
        final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.bulkLength(length));
        RespReplies.writeBulk(out, command.source(), command.argIndex(arg), length);
        return out;
    }

    private ByteBuf onPing(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() > 2)
        {
            return RespErrors.error(ctx, "ERR wrong number of arguments for 'ping' command");
        }
        else if (command.argCount() == 2)
        {
            return bulk(ctx, command, 1);
        }
        else
        {
            return copy(ctx, RespReplies.PONG);
        }
    }

    private ByteBuf onAuth(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() > 3)
        {
            return RespErrors.error(ctx, "ERR syntax error");
        }
        if (protocol.token().length == 0 && command.argCount() == 2)
        {
            return RespErrors.error(ctx, "ERR AUTH <password> called without any password configured for the " +
                "default user. Are you sure your configuration is correct?");
        }
        if (authenticate(command, command.argCount() == 3 ? 1 : -1, command.argCount() - 1))
        {
            return copy(ctx, RespReplies.OK);
        }
        else
        {
            return RespErrors.error(ctx, WRONGPASS);
        }
    }

    /**
     * @return true, and the connection authorized, when the password matches the mapd's token (any password when
     * it has none) and the user, if given, is {@code default}.
     */
    private boolean authenticate(final RespCommand command, final int userArg, final int passwordArg)
    {
        if (userArg >= 0 && !Arrays.equals(command.argBytes(userArg), DEFAULT_USER))
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
    private ByteBuf onHello(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() >= 2)
        {
            final long version = command.argAsLong(1, -1);
            if (version < 1)
            {
                return RespErrors.error(ctx, "ERR Protocol version is not an integer or out of range");
            }
            if (version != 2)
            {
                return RespErrors.error(ctx, "NOPROTO unsupported protocol version");
            }
        }
        byte[] name = null;
        for (int i = 2; i < command.argCount(); i++)
        {
            if (command.argIs(i, AUTH_OPTION) && i + 2 < command.argCount())
            {
                if (!authenticate(command, i + 1, i + 2))
                {
                    return RespErrors.error(ctx, WRONGPASS);
                }
                i += 2;
            }
            else if (command.argIs(i, SETNAME) && i + 1 < command.argCount())
            {
                name = command.argBytes(++i);
            }
            else
            {
                return RespErrors.error(ctx,
                    "ERR Syntax error in HELLO option '" + RespErrors.lowerName(command, i) + "'");
            }
        }
        if (!authorized)
        {
            return RespErrors.error(ctx, "NOAUTH HELLO must be called with the client already authenticated, " +
                "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and " +
                "select the RESP protocol version at the same time");
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
        return out;
    }

    private ByteBuf onSelect(final ChannelHandlerContext ctx, final RespCommand command)
    {
        final long db = command.argAsLong(1, -1);
        if (db == 0)
        {
            return copy(ctx, RespReplies.OK);
        }
        else
        {
            return RespErrors.error(ctx,
                db < 0 ? "ERR value is not an integer or out of range" : "ERR DB index is out of range");
        }
    }

    private ByteBuf onReset(final ChannelHandlerContext ctx)
    {
        clientName = null;
        authorized = protocol.token().length == 0;
        return copy(ctx, RESET);
    }

    private ByteBuf onCommand(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argCount() == 1)
        {
            final ByteBuf all = RespCommands.commandReply();
            return ctx.alloc().ioBuffer(all.readableBytes()).writeBytes(all);
        }
        else if (command.argIs(1, COUNT))
        {
            final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
            RespReplies.writeInteger(out, RespCommands.COUNT);
            return out;
        }
        else if (command.argIs(1, DOCS))
        {
            // No docs: redis-cli then uses its own help for hints.
            return copy(ctx, RespReplies.EMPTY_ARRAY);
        }
        else if (command.argIs(1, LIST))
        {
            final ByteBuf names = RespCommands.commandNames();
            return ctx.alloc().ioBuffer(names.readableBytes()).writeBytes(names);
        }
        else
        {
            return RespErrors.error(ctx, RespErrors.unknownSubcommand(command, "COMMAND"));
        }
    }

    /**
     * CONFIG GET pattern...: the few settings clients and redis-benchmark read, as name/value pairs.
     */
    private ByteBuf onConfig(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (!command.argIs(1, GET_OPTION))
        {
            final String sub = RespErrors.lowerName(command, 1).toUpperCase(Locale.ROOT);
            return RespErrors.error(ctx, sub.equals("SET") || sub.equals("RESETSTAT") || sub.equals("REWRITE") ?
                "ERR CONFIG " + sub + " is not supported by MetroDB" : RespErrors.unknownSubcommand(command, "CONFIG"));
        }
        if (command.argCount() < 3)
        {
            return RespErrors.error(ctx, "ERR wrong number of arguments for 'config|get' command");
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
        return out;
    }

    private String[][] configValues()
    {
        final String[][] values = Arrays.copyOf(CONFIG, CONFIG.length + 1);
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

    private ByteBuf onClient(final ChannelHandlerContext ctx, final RespCommand command)
    {
        if (command.argIs(1, SETNAME) && command.argCount() == 3)
        {
            final byte[] name = command.argBytes(2);
            for (final byte b : name)
            {
                if (b <= ' ' || b > '~')
                {
                    return RespErrors.error(ctx,
                        "ERR Client names cannot contain spaces, newlines or special characters.");
                }
            }
            clientName = name.length == 0 ? null : name;
            return copy(ctx, RespReplies.OK);
        }
        else if (command.argIs(1, GETNAME) && command.argCount() == 2)
        {
            if (clientName == null)
            {
                return copy(ctx, RespReplies.NULL_BULK);
            }
            else
            {
                final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.bulkLength(clientName.length));
                RespReplies.writeBulk(out, clientName);
                return out;
            }
        }
        else if (command.argIs(1, SETINFO) && command.argCount() == 4)
        {
            return copy(ctx, RespReplies.OK);
        }
        else if (command.argIs(1, ID) && command.argCount() == 2)
        {
            final ByteBuf out = ctx.alloc().ioBuffer(RespReplies.MAX_HEADER_LENGTH);
            RespReplies.writeInteger(out, clientId);
            return out;
        }
        else
        {
            return RespErrors.error(ctx, RespErrors.unknownSubcommand(command, "CLIENT"));
        }
    }
}
