package io.metrodb.tools.cli;

import java.util.List;

/**
 * Prints replies as redis-cli does on a terminal: {@code OK}, {@code (nil)}, {@code "quoted"} strings with
 * {@code \xNN} for bytes that are not printable ASCII, {@code (integer) 1}, {@code (error) ...} and numbered lists.
 */
final class ReplyFormatter
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ReplyFormatter()
    {
    }

    /**
     * @return the reply's text, without a final newline (a list has one line per element).
     */
    static String format(final Reply reply)
    {
        final StringBuilder out = new StringBuilder();
        append(out, reply, "");
        return out.toString();
    }

    private static void append(final StringBuilder out, final Reply reply, final String indent)
    {
        switch (reply.kind())
        {
            case STATUS:
            case TEXT:
                out.append(reply.text());
                break;
            case NIL:
                out.append("(nil)");
                break;
            case BULK:
                quote(out, reply.bytes());
                break;
            case INTEGER:
                out.append("(integer) ").append(reply.integer());
                break;
            case ERROR:
            case USAGE_ERROR:
                out.append("(error) ").append(reply.text());
                break;
            case ARRAY:
                appendArray(out, reply.elements(), indent);
                break;
            default:
                throw new IllegalStateException("unknown reply kind " + reply.kind());
        }
    }

    private static void appendArray(final StringBuilder out, final List<Reply> elements, final String indent)
    {
        if (elements.isEmpty())
        {
            out.append("(empty array)");
            return;
        }
        final int width = Integer.toString(elements.size()).length();
        for (int i = 0; i < elements.size(); i++)
        {
            if (i > 0)
            {
                out.append('\n').append(indent);
            }
            final String number = Integer.toString(i + 1);
            for (int pad = number.length(); pad < width; pad++)
            {
                out.append(' ');
            }
            out.append(number).append(") ");
            append(out, elements.get(i), indent + " ".repeat(width + 2));
        }
    }

    /**
     * @return the bytes as a double-quoted string with redis-cli's escapes.
     */
    static String quote(final byte[] bytes)
    {
        final StringBuilder out = new StringBuilder(bytes.length + 2);
        quote(out, bytes);
        return out.toString();
    }

    private static void quote(final StringBuilder out, final byte[] bytes)
    {
        out.append('"');
        for (final byte b : bytes)
        {
            final int c = b & 0xFF;
            switch (c)
            {
                case '\\': out.append("\\\\"); break;
                case '"': out.append("\\\""); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case 0x07: out.append("\\a"); break;
                case '\b': out.append("\\b"); break;
                default:
                    if (c >= 0x20 && c < 0x7F)
                    {
                        out.append((char)c);
                    }
                    else
                    {
                        out.append("\\x").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
                    }
                    break;
            }
        }
        out.append('"');
    }
}
