package io.metrodb.protocol.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Parses the commands a Redis client sends: RESP multibulk requests ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and
 * inline command lines ({@code GET k\r\n}, quoted arguments as redis-server's inline parser takes them). Which one a
 * command is, its first byte says: {@code '*'} starts a multibulk, anything else a line.
 * <pre>
 *  multibulk   '*' count CRLF { '$' length CRLF bytes CRLF }{count}     count &lt;= 0: an empty command
 *  inline      args separated by spaces, up to LF (a CR before it is dropped); "..." and '...' quote
 * </pre>
 * Resumable: bytes may arrive split anywhere. A multibulk's arguments are not copied; they stay in the caller's
 * buffer, which must keep every byte from the command's start until {@link #parse} returns it. Lengths are checked
 * as soon as their line is complete, so nothing is allocated or buffered for a bulk over the limit, and the argument
 * arrays grow with the arguments that arrive, not with the count claimed. The one failure is a
 * {@link RespException}: framing is lost and the connection must close.
 */
public final class RespParser
{
    /** The most arguments one multibulk command may claim (redis-server's own bound is larger). */
    public static final int DEFAULT_MAX_ARGS = 1 << 20;
    /** The longest inline command line, as redis-server's PROTO_INLINE_MAX_SIZE. */
    public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;
    /** A count or length line longer than this (digits, sign, CR) is not a number. */
    private static final int MAX_NUMBER_LINE = 21;

    private final int maxBulkLength;
    private final int maxArgs;
    private final int maxInlineLength;
    private final RespCommand command = new RespCommand();
    private final ByteBuf inlineArgs = Unpooled.buffer(256);
    private boolean inMultibulk;
    private int expectedArgs;
    private int offset;

    /**
     * @param maxBulkLength   the longest argument accepted.
     * @param maxArgs         the most arguments a multibulk may claim.
     * @param maxInlineLength the longest inline line accepted.
     */
    public RespParser(final int maxBulkLength, final int maxArgs, final int maxInlineLength)
    {
        if (maxBulkLength < 0 || maxArgs < 1 || maxInlineLength < 1)
        {
            throw new IllegalArgumentException("limits must be positive: bulk " + maxBulkLength + ", args " +
                maxArgs + ", inline " + maxInlineLength);
        }
        this.maxBulkLength = maxBulkLength;
        this.maxArgs = maxArgs;
        this.maxInlineLength = maxInlineLength;
    }

    /**
     * Parses the next command at {@code in}'s reader index, advancing past it when it is complete.
     *
     * @return the command (valid until the next call; 0 arguments for an empty one), or null when more bytes are
     * needed (nothing consumed: call again with the same bytes and more).
     * @throws RespException when the bytes are not RESP or exceed a limit.
     */
    public RespCommand parse(final ByteBuf in)
    {
        if (!inMultibulk)
        {
            if (!in.isReadable())
            {
                return null;
            }
            command.reset();
            if (in.getByte(in.readerIndex()) != '*')
            {
                return parseInline(in);
            }
            final int start = in.readerIndex();
            final int lineEnd = findLineEnd(in, start + 1);
            if (lineEnd < 0)
            {
                return null;
            }
            final long count = parseLong(in, start + 1, lineEnd - start - 1, Long.MIN_VALUE);
            if (count == Long.MIN_VALUE || count > maxArgs)
            {
                failOnMultibulkLength();
            }
            if (count <= 0)
            {
                in.readerIndex(lineEnd + 2);
                return command;
            }
            inMultibulk = true;
            expectedArgs = (int)count;
            offset = lineEnd + 2 - start;
        }
        return parseArgs(in);
    }

    private RespCommand parseArgs(final ByteBuf in)
    {
        final int start = in.readerIndex();
        final int end = in.writerIndex();
        while (command.argCount < expectedArgs)
        {
            final int at = start + offset;
            if (at >= end)
            {
                return null;
            }
            final byte type = in.getByte(at);
            if (type != '$')
            {
                failOnExpectedDollar(type);
            }
            final int lineEnd = findLineEnd(in, at + 1);
            if (lineEnd < 0)
            {
                return null;
            }
            final long length = parseLong(in, at + 1, lineEnd - at - 1, -1);
            if (length < 0 || length > maxBulkLength)
            {
                failOnBulkLength();
            }
            final int data = lineEnd + 2;
            if ((long)end - data < length + 2)
            {
                return null;
            }
            final int dataEnd = data + (int)length;
            if (in.getByte(dataEnd) != '\r' || in.getByte(dataEnd + 1) != '\n')
            {
                failOnUnterminatedBulk();
            }
            command.add(data - start, (int)length);
            offset = dataEnd + 2 - start;
        }
        inMultibulk = false;
        command.source = in;
        command.base = start;
        in.readerIndex(start + offset);
        return command;
    }

    /**
     * @return the index of the CR of the CR LF that ends the line starting at {@code from}, or -1 when the line is
     * not complete yet.
     */
    private static int findLineEnd(final ByteBuf in, final int from)
    {
        final int limit = Math.min(in.writerIndex(), from + MAX_NUMBER_LINE);
        for (int i = from; i < limit; i++)
        {
            final byte b = in.getByte(i);
            if (b == '\r')
            {
                if (i + 1 >= in.writerIndex())
                {
                    return -1;
                }
                if (in.getByte(i + 1) != '\n')
                {
                    failOnNumberLine();
                }
                return i;
            }
            if (b != '-' && (b < '0' || b > '9'))
            {
                failOnNumberLine();
            }
        }
        if (limit - from >= MAX_NUMBER_LINE)
        {
            failOnNumberLine();
        }
        return -1;
    }

    private RespCommand parseInline(final ByteBuf in)
    {
        final int start = in.readerIndex();
        final int searchEnd = (int)Math.min(in.writerIndex(), (long)start + maxInlineLength + 1);
        final int newline = in.indexOf(start, searchEnd, (byte)'\n');
        if (newline < 0)
        {
            if (in.readableBytes() > maxInlineLength)
            {
                failOnInlineTooLong();
            }
            return null;
        }
        int lineEnd = newline;
        if (lineEnd > start && in.getByte(lineEnd - 1) == '\r')
        {
            lineEnd--;
        }
        inlineArgs.clear();
        splitArgs(in, start, lineEnd);
        command.source = inlineArgs;
        command.base = 0;
        in.readerIndex(newline + 1);
        return command;
    }

    /**
     * Splits a line as redis-server's sdssplitargs does: spaces separate, {@code "..."} takes the escapes
     * {@code \n \r \t \b \a \\ \" \xHH}, {@code '...'} takes {@code \'}; a closing quote must be followed by a space
     * or the end of the line.
     */
    private void splitArgs(final ByteBuf in, final int from, final int to)
    {
        int p = from;
        while (true)
        {
            while (p < to && isSpace(in.getByte(p)))
            {
                p++;
            }
            if (p >= to)
            {
                return;
            }
            final int argStart = inlineArgs.writerIndex();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (p >= to)
                    {
                        failOnUnbalancedQuotes();
                    }
                    final byte b = in.getByte(p);
                    if (b == '\\' && p + 3 < to && in.getByte(p + 1) == 'x' &&
                        hexValue(in.getByte(p + 2)) >= 0 && hexValue(in.getByte(p + 3)) >= 0)
                    {
                        inlineArgs.writeByte(hexValue(in.getByte(p + 2)) * 16 + hexValue(in.getByte(p + 3)));
                        p += 3;
                    }
                    else if (b == '\\' && p + 1 < to)
                    {
                        p++;
                        inlineArgs.writeByte(unescape(in.getByte(p)));
                    }
                    else if (b == '"')
                    {
                        if (p + 1 < to && !isSpace(in.getByte(p + 1)))
                        {
                            failOnUnbalancedQuotes();
                        }
                        done = true;
                    }
                    else
                    {
                        inlineArgs.writeByte(b);
                    }
                }
                else if (inSingle)
                {
                    if (p >= to)
                    {
                        failOnUnbalancedQuotes();
                    }
                    final byte b = in.getByte(p);
                    if (b == '\\' && p + 1 < to && in.getByte(p + 1) == '\'')
                    {
                        p++;
                        inlineArgs.writeByte('\'');
                    }
                    else if (b == '\'')
                    {
                        if (p + 1 < to && !isSpace(in.getByte(p + 1)))
                        {
                            failOnUnbalancedQuotes();
                        }
                        done = true;
                    }
                    else
                    {
                        inlineArgs.writeByte(b);
                    }
                }
                else if (p >= to)
                {
                    done = true;
                }
                else
                {
                    final byte b = in.getByte(p);
                    if (isSpace(b))
                    {
                        done = true;
                    }
                    else if (b == '"')
                    {
                        inDouble = true;
                    }
                    else if (b == '\'')
                    {
                        inSingle = true;
                    }
                    else
                    {
                        inlineArgs.writeByte(b);
                    }
                }
                if (p < to)
                {
                    p++;
                }
            }
            command.add(argStart, inlineArgs.writerIndex() - argStart);
        }
    }

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0x0B || b == '\f' || b == 0;
    }

    private static int hexValue(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f')
        {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F')
        {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static byte unescape(final byte b)
    {
        return switch (b)
        {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> b;
        };
    }

    /**
     * Parses a decimal integer as redis-server's string2ll: an optional '-', then 1..19 digits, no '+', no spaces,
     * no leading zeros.
     *
     * @return the value, or {@code missing} when the bytes are not such a number or overflow a long.
     */
    public static long parseLong(final ByteBuf buf, final int index, final int length, final long missing)
    {
        if (length <= 0 || length > 20)
        {
            return missing;
        }
        int i = index;
        final int end = index + length;
        final boolean negative = buf.getByte(i) == '-';
        if (negative)
        {
            i++;
            if (i == end)
            {
                return missing;
            }
        }
        if (buf.getByte(i) == '0' && end - i > 1)
        {
            return missing;
        }
        long value = 0;
        for (; i < end; i++)
        {
            final byte b = buf.getByte(i);
            if (b < '0' || b > '9')
            {
                return missing;
            }
            // Accumulate negatively: Long.MIN_VALUE has no positive counterpart.
            if (value < (Long.MIN_VALUE + (b - '0')) / 10)
            {
                return missing;
            }
            value = value * 10 - (b - '0');
        }
        if (negative)
        {
            return value;
        }
        return value == Long.MIN_VALUE ? missing : -value;
    }

    private static void failOnMultibulkLength()
    {
        throw new RespException("Protocol error: invalid multibulk length");
    }

    private static void failOnBulkLength()
    {
        throw new RespException("Protocol error: invalid bulk length");
    }

    private static void failOnNumberLine()
    {
        throw new RespException("Protocol error: invalid length line");
    }

    private static void failOnExpectedDollar(final byte actual)
    {
        throw new RespException("Protocol error: expected '$', got '" + (actual >= 0x20 && actual < 0x7F ?
            String.valueOf((char)actual) : String.format("\\x%02x", actual & 0xFF)) + "'");
    }

    private static void failOnUnterminatedBulk()
    {
        throw new RespException("Protocol error: bulk argument not followed by CRLF");
    }

    private static void failOnInlineTooLong()
    {
        throw new RespException("Protocol error: too big inline request");
    }

    private static void failOnUnbalancedQuotes()
    {
        throw new RespException("Protocol error: unbalanced quotes in request");
    }
}
