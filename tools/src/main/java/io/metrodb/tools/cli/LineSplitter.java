package io.metrodb.tools.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a typed line into binary words with redis-cli's quoting rules (its {@code sdssplitargs}): words are
 * separated by blanks; in {@code "double quotes"} the escapes {@code \n \r \t \b \a \\ \"} and {@code \xNN}
 * (two hex digits, any byte) apply, and {@code \} before any other character stands for that character; in
 * {@code 'single quotes'} only {@code \'} is an escape. A closing quote must end the word. Text outside escapes
 * is taken as UTF-8.
 */
final class LineSplitter
{
    private LineSplitter()
    {
    }

    /**
     * @param line what was typed.
     * @return its words, none for a blank line.
     * @throws IllegalArgumentException for unbalanced quotes or a closing quote followed by something else.
     */
    static List<byte[]> split(final String line)
    {
        final List<byte[]> words = new ArrayList<>();
        final ByteArrayOutputStream word = new ByteArrayOutputStream();
        final int length = line.length();
        int i = 0;
        while (true)
        {
            while (i < length && Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            if (i == length)
            {
                return words;
            }
            word.reset();
            while (i < length && !Character.isWhitespace(line.charAt(i)))
            {
                final char c = line.charAt(i);
                if (c == '"')
                {
                    i = doubleQuoted(line, i + 1, word);
                }
                else if (c == '\'')
                {
                    i = singleQuoted(line, i + 1, word);
                }
                else
                {
                    i = appendCodePoint(line, i, word);
                }
            }
            words.add(word.toByteArray());
        }
    }

    /**
     * @return the index after the closing quote.
     */
    private static int doubleQuoted(final String line, final int start, final ByteArrayOutputStream word)
    {
        int i = start;
        while (i < line.length())
        {
            final char c = line.charAt(i);
            if (c == '\\' && i + 3 < line.length() && line.charAt(i + 1) == 'x' &&
                isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3)))
            {
                word.write(Character.digit(line.charAt(i + 2), 16) << 4 | Character.digit(line.charAt(i + 3), 16));
                i += 4;
            }
            else if (c == '\\' && i + 1 < line.length())
            {
                final char escaped = line.charAt(i + 1);
                switch (escaped)
                {
                    case 'n': word.write('\n'); break;
                    case 'r': word.write('\r'); break;
                    case 't': word.write('\t'); break;
                    case 'b': word.write('\b'); break;
                    case 'a': word.write(0x07); break;
                    default:
                        appendCodePoint(line, i + 1, word);
                        break;
                }
                i += 1 + Character.charCount(line.codePointAt(i + 1));
            }
            else if (c == '"')
            {
                return closingQuote(line, i);
            }
            else
            {
                i = appendCodePoint(line, i, word);
            }
        }
        throw new IllegalArgumentException("unbalanced quotes");
    }

    private static int singleQuoted(final String line, final int start, final ByteArrayOutputStream word)
    {
        int i = start;
        while (i < line.length())
        {
            final char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '\'')
            {
                word.write('\'');
                i += 2;
            }
            else if (c == '\'')
            {
                return closingQuote(line, i);
            }
            else
            {
                i = appendCodePoint(line, i, word);
            }
        }
        throw new IllegalArgumentException("unbalanced quotes");
    }

    private static int closingQuote(final String line, final int quote)
    {
        final int next = quote + 1;
        if (next < line.length() && !Character.isWhitespace(line.charAt(next)))
        {
            throw new IllegalArgumentException("a closing quote must be followed by a space or the end of the line");
        }
        return next;
    }

    private static int appendCodePoint(final String line, final int i, final ByteArrayOutputStream word)
    {
        final int codePoint = line.codePointAt(i);
        final int count = Character.charCount(codePoint);
        final byte[] bytes = line.substring(i, i + count).getBytes(StandardCharsets.UTF_8);
        word.write(bytes, 0, bytes.length);
        return i + count;
    }

    private static boolean isHex(final char c)
    {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }
}
