package io.metrodb.audit;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Helpers for strace's argument text: split at top-level commas, decode quoted strings (hex escapes from
 * {@code -xx}, C escapes otherwise), and tell whether a string was cut short by {@code -s}.
 */
final class StraceArgs
{
    private StraceArgs()
    {
    }

    /**
     * @return the top-level arguments: commas inside quotes, (), [] and {} do not split.
     */
    static List<String> split(final String args)
    {
        final List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < args.length(); i++)
        {
            final char c = args.charAt(i);
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == '(' || c == '[' || c == '{')
            {
                depth++;
            }
            else if (c == ')' || c == ']' || c == '}')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                parts.add(args.substring(start, i).trim());
                start = i + 1;
            }
        }
        final String last = args.substring(start).trim();
        if (!last.isEmpty() || !parts.isEmpty())
        {
            parts.add(last);
        }
        return parts;
    }

    /**
     * Every quoted string in {@code text}, in order, decoded and joined: the bytes of a buffer argument, or of an
     * iovec array's {@code iov_base}s.
     *
     * @throws TruncatedException when a string was cut short ({@code "..."...}): raise strace's {@code -s}.
     */
    static byte[] strings(final String text)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length())
        {
            if (text.charAt(i) != '"')
            {
                i++;
                continue;
            }
            i++;
            while (i < text.length() && text.charAt(i) != '"')
            {
                final char c = text.charAt(i);
                if (c != '\\')
                {
                    out.write(c);
                    i++;
                    continue;
                }
                final char e = text.charAt(i + 1);
                if (e == 'x')
                {
                    out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                    i += 4;
                }
                else if (e >= '0' && e <= '7')
                {
                    int end = i + 1;
                    while (end < text.length() && end < i + 4 && text.charAt(end) >= '0' && text.charAt(end) <= '7')
                    {
                        end++;
                    }
                    out.write(Integer.parseInt(text.substring(i + 1, end), 8));
                    i = end;
                }
                else
                {
                    out.write(unescape(e));
                    i += 2;
                }
            }
            i++;
            if (text.startsWith("...", i))
            {
                throw new TruncatedException("a string in the trace was cut short (raise strace -s): " +
                    text.substring(0, Math.min(80, text.length())));
            }
        }
        return out.toByteArray();
    }

    /**
     * @return the string argument decoded as text (a path).
     */
    static String text(final String argument)
    {
        return new String(strings(argument), java.nio.charset.StandardCharsets.UTF_8);
    }

    static long number(final String argument)
    {
        final String trimmed = argument.trim();
        if ("NULL".equals(trimmed))
        {
            return 0;
        }
        if (trimmed.startsWith("0x"))
        {
            return Long.parseUnsignedLong(trimmed.substring(2), 16);
        }
        return Long.parseLong(trimmed);
    }

    private static int unescape(final char e)
    {
        switch (e)
        {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'v': return 0x0b;
            case 'f': return '\f';
            default: return e;
        }
    }

    /**
     * A buffer strace printed only in part.
     */
    static final class TruncatedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        TruncatedException(final String message)
        {
            super(message);
        }
    }
}
