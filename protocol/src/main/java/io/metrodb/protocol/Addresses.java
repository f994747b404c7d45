package io.metrodb.protocol;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The one parser of {@code host:port} addresses: the daemons' command lines ({@code --logds}, {@code --mapds},
 * {@code --peers}) and the client's list of mapds.
 */
public final class Addresses
{
    private Addresses()
    {
    }

    /**
     * Parses {@code host:port,host:port}.
     *
     * @throws IllegalArgumentException on a malformed address.
     */
    public static List<InetSocketAddress> parse(final String list, final String option)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final String item : list.split(","))
        {
            final String trimmed = item.trim();
            if (!trimmed.isEmpty())
            {
                addresses.add(parseOne(trimmed, option));
            }
        }
        if (addresses.isEmpty())
        {
            throw new IllegalArgumentException(option + " lists no address");
        }
        return addresses;
    }

    /**
     * Parses one {@code host:port}; the host is left unresolved.
     *
     * @param address the text, e.g. {@code 127.0.0.1:7550}.
     * @param option what the address is for, named in the error.
     * @return the address.
     * @throws IllegalArgumentException on a malformed address.
     */
    public static InetSocketAddress parseOne(final String address, final String option)
    {
        final String trimmed = address.trim();
        final int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1)
        {
            throw new IllegalArgumentException(option + ": '" + trimmed + "' is not host:port");
        }
        final int port;
        try
        {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": '" + trimmed + "' has no numeric port");
        }
        if (port < 1 || port > 0xFFFF)
        {
            throw new IllegalArgumentException(option + ": port of '" + trimmed + "' must be in 1..65535");
        }
        return InetSocketAddress.createUnresolved(trimmed.substring(0, colon), port);
    }
}
