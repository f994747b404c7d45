package io.metrodb.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the address lists of the daemons' command lines ({@code --logds}, {@code --mapds}, {@code --peers}).
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
            if (trimmed.isEmpty())
            {
                continue;
            }
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
            addresses.add(InetSocketAddress.createUnresolved(trimmed.substring(0, colon), port));
        }
        if (addresses.isEmpty())
        {
            throw new IllegalArgumentException(option + " lists no address");
        }
        return addresses;
    }
}
