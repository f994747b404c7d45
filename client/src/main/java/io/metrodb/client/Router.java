package io.metrodb.client;

import io.metrodb.protocol.StatusCodes;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Which connection a call goes to: its key's home mapd first, another connection of that mapd when one is down,
 * the next mapd that is connected when none of the home mapd's is (see {@link MetroClient} for the rules).
 */
final class Router
{
    private final MetroLink[][] links;
    private final MetroLink[] allLinks;
    /** Until then, calls wait for a home mapd whose first connection is still being set up. */
    private final long connectingUntilNs;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param links             the connections, {@code links[node][c]}, the same number per node.
     * @param connectingUntilNs {@link System#nanoTime()} until which calls wait for a connecting home mapd.
     */
    Router(final MetroLink[][] links, final long connectingUntilNs)
    {
        this.links = links;
        this.connectingUntilNs = connectingUntilNs;
        int count = 0;
        for (final MetroLink[] row : links)
        {
            count += row.length;
        }
        allLinks = new MetroLink[count];
        int i = 0;
        for (final MetroLink[] row : links)
        {
            for (final MetroLink link : row)
            {
                allLinks[i++] = link;
            }
        }
    }

    /**
     * The mapd a key's calls go to first: a hash of the key, so a client's operations on one key meet one mapd
     * (which reads its own writes at once) while different keys spread over every mapd.
     *
     * @param key   the key.
     * @param nodes how many mapds.
     * @return the index of the key's home mapd.
     */
    static int homeNode(final byte[] key, final int nodes)
    {
        int hash = 0x9747b28c;
        for (final byte b : key)
        {
            hash = (hash ^ b) * 0x01000193;
        }
        hash ^= hash >>> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >>> 13;
        return (int)((hash & 0xFFFF_FFFFL) % nodes);
    }

    int nodeCount()
    {
        return links.length;
    }

    int linkCount()
    {
        return allLinks.length;
    }

    /**
     * @return every connection (the array itself: do not change it).
     */
    MetroLink[] allLinks()
    {
        return allLinks;
    }

    /**
     * @return the connections to mapd {@code node} (a copy).
     */
    MetroLink[] linksOf(final int node)
    {
        return links[node].clone();
    }

    /**
     * Where a new call for a key homed at {@code home} is put first: {@link #route}, else (no mapd ready) one of
     * the home mapd's connections, where it waits or moves on.
     *
     * @param home the key's home mapd.
     * @return the connection.
     */
    MetroLink first(final int home)
    {
        final long spread = sequence.getAndIncrement();
        final MetroLink link = route(home, spread);
        return link != null ? link : links[home][(int)(spread % links[home].length)];
    }

    /**
     * Where a call for a key homed at {@code home} goes: a ready connection of the home mapd; one of its connections
     * while it {@link #isConnecting is connecting} for the first time (the call waits for it there, so that a
     * client's first writes are not taken by another mapd that connected sooner, which would break read-your-writes
     * once the home connection is up); else a ready connection of the next mapds.
     *
     * @return the connection, or null when none is ready.
     */
    MetroLink route(final int home, final long spread)
    {
        if (isConnecting(home))
        {
            return links[home][(int)(spread % links[home].length)];
        }
        return pick(home, spread);
    }

    /**
     * @param startNode the node to look at first (wrapped).
     * @param spread    picks among a node's connections.
     * @return a ready connection, or null when none is.
     */
    MetroLink pick(final int startNode, final long spread)
    {
        final int nodes = links.length;
        for (int i = 0; i < nodes; i++)
        {
            final MetroLink link = readyLinkOf((int)(((long)startNode + i) % nodes), spread);
            if (link != null)
            {
                return link;
            }
        }
        return null;
    }

    /**
     * @param node   a mapd.
     * @param spread picks among its connections.
     * @return a ready connection of mapd {@code node}, or null when none is.
     */
    MetroLink readyLinkOf(final int node, final long spread)
    {
        final MetroLink[] row = links[node];
        for (int c = 0; c < row.length; c++)
        {
            final MetroLink link = row[(int)((spread + c) % row.length)];
            if (link.ready)
            {
                return link;
            }
        }
        return null;
    }

    /**
     * @return true while the client's first connection to mapd {@code node} is being set up (none of its
     * connections has been ready or failed yet), for at most half the request timeout after the client was built.
     */
    boolean isConnecting(final int node)
    {
        if (System.nanoTime() - connectingUntilNs >= 0)
        {
            return false;
        }
        for (final MetroLink link : links[node])
        {
            if (link.settled)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return true when no connection is ready and every one was last refused at HELLO (wrong token, version).
     */
    boolean allRefused()
    {
        for (final MetroLink link : allLinks)
        {
            if (link.ready || (link.refusal != StatusCodes.AUTH_FAILED && link.refusal != StatusCodes.UNSUPPORTED_VERSION))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the number of connections currently connected and past the handshake.
     */
    int readyConnections()
    {
        int ready = 0;
        for (final MetroLink link : allLinks)
        {
            ready += link.ready ? 1 : 0;
        }
        return ready;
    }
}
