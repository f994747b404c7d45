package io.metrodb.gateway;

import io.metrodb.protocol.ProtocolLimits;

import java.util.Arrays;

/**
 * Turns a request target into a key: the path after the first {@code /}, up to a {@code ?}, percent-decoded into
 * bytes. Every byte is allowed in a key, so {@code /a/b} and {@code /a%2Fb} name the same key {@code a/b}; a space
 * or a non-ASCII byte is sent as {@code %XX}. Raw characters above U+00FF cannot come from an HTTP request line and
 * are refused.
 */
final class KeyPath
{
    private KeyPath()
    {
    }

    /**
     * @param uri a request target such as {@code /a%20b?safe=1}.
     * @return the key's bytes.
     * @throws IllegalArgumentException with a one-line reason: no leading {@code /}, an empty key, bad
     * percent-encoding, a key over {@link ProtocolLimits#MAX_KEY_LENGTH} bytes.
     */
    static byte[] key(final String uri)
    {
        final int end = pathEnd(uri);
        if (end == 0 || uri.charAt(0) != '/')
        {
            throw new IllegalArgumentException("request target must start with /");
        }
        final byte[] out = new byte[end - 1];
        int length = 0;
        for (int i = 1; i < end; i++)
        {
            final char c = uri.charAt(i);
            if (c == '%')
            {
                if (i + 2 >= end)
                {
                    throw new IllegalArgumentException("bad percent-encoding at offset " + i + ": needs two hex digits");
                }
                final int high = Character.digit(uri.charAt(i + 1), 16);
                final int low = Character.digit(uri.charAt(i + 2), 16);
                if (high < 0 || low < 0)
                {
                    throw new IllegalArgumentException("bad percent-encoding at offset " + i + ": '" +
                        uri.substring(i, i + 3) + "' is not %XX");
                }
                out[length++] = (byte)(high << 4 | low);
                i += 2;
            }
            else if (c > 0xFF)
            {
                throw new IllegalArgumentException("character U+" + Integer.toHexString(c) + " in the path: send it as %XX");
            }
            else
            {
                out[length++] = (byte)c;
            }
        }
        if (length < ProtocolLimits.MIN_KEY_LENGTH)
        {
            throw new IllegalArgumentException("empty key");
        }
        if (length > ProtocolLimits.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key longer than " + ProtocolLimits.MAX_KEY_LENGTH + " bytes: " + length);
        }
        return length == out.length ? out : Arrays.copyOf(out, length);
    }

    /**
     * @return the path part of a request target: everything before {@code ?} (or {@code #}).
     */
    static String path(final String uri)
    {
        return uri.substring(0, pathEnd(uri));
    }

    /**
     * @param uri  a request target.
     * @param name a query parameter name.
     * @return the parameter's (raw) value, "" when it has none, or null when absent.
     */
    static String query(final String uri, final String name)
    {
        final int q = uri.indexOf('?');
        if (q < 0)
        {
            return null;
        }
        int end = uri.indexOf('#', q);
        end = end < 0 ? uri.length() : end;
        for (final String pair : uri.substring(q + 1, end).split("&"))
        {
            final int eq = pair.indexOf('=');
            final String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name))
            {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }

    private static int pathEnd(final String uri)
    {
        for (int i = 0; i < uri.length(); i++)
        {
            final char c = uri.charAt(i);
            if (c == '?' || c == '#')
            {
                return i;
            }
        }
        return uri.length();
    }
}
