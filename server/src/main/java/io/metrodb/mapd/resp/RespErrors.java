package io.metrodb.mapd.resp;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.resp.RespCommand;
import io.metrodb.protocol.resp.RespReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Error replies of the Redis commands, worded as redis-server words them where it has the same error. Error paths
 * only: they build Strings.
 */
final class RespErrors
{
    static final String NOAUTH = "NOAUTH Authentication required.";

    private RespErrors()
    {
    }

    /**
     * @param message the text after '-', starting with its code, e.g. {@code ERR syntax error}.
     */
    static ByteBuf error(final ChannelHandlerContext ctx, final String message)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(message.length() + 8);
        RespReplies.writeError(out, message);
        return out;
    }

    static boolean isValidKey(final RespCommand command, final int arg)
    {
        final int length = command.argLength(arg);
        return length >= ProtocolLimits.MIN_KEY_LENGTH && length <= ProtocolLimits.MAX_KEY_LENGTH;
    }

    static String invalidKey()
    {
        return "ERR invalid key: MetroDB keys are " + ProtocolLimits.MIN_KEY_LENGTH + ".." +
            ProtocolLimits.MAX_KEY_LENGTH + " bytes";
    }

    static String valueTooLarge(final int maxValueLength)
    {
        return "ERR value longer than this mapd's --max-value (" + maxValueLength + " bytes)";
    }

    static String wrongArgumentCount(final RespCommand command)
    {
        return "ERR wrong number of arguments for '" + lowerName(command, 0) + "' command";
    }

    /**
     * As redis-server: {@code ERR unknown command 'name', with args beginning with: 'a' 'b' }.
     */
    static String unknownCommand(final RespCommand command)
    {
        final StringBuilder text = new StringBuilder(64).append("ERR unknown command '")
            .append(truncated(command, 0)).append("', with args beginning with: ");
        for (int i = 1; i < command.argCount() && text.length() < 512; i++)
        {
            text.append('\'').append(truncated(command, i)).append("' ");
        }
        return text.toString();
    }

    static String unknownSubcommand(final RespCommand command, final String name)
    {
        return "ERR unknown subcommand '" + truncated(command, 1) + "'. Try " + name + " HELP.";
    }

    /**
     * @return argument {@code arg} as text, at most 128 bytes of it.
     */
    static String truncated(final RespCommand command, final int arg)
    {
        final int length = Math.min(128, command.argLength(arg));
        return command.source().toString(command.argIndex(arg), length, StandardCharsets.UTF_8);
    }

    static String lowerName(final RespCommand command, final int arg)
    {
        return truncated(command, arg).toLowerCase(Locale.ROOT);
    }
}
