package io.metrodb.client;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.netty.HandshakeConfig;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router as a unit: connections that are never started, their readiness set by hand.
 */
class RouterTest
{
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    private static MetroLink[][] links(final int nodes, final int perNode)
    {
        final HandshakeConfig handshake =
            new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
        final MetroLink[][] links = new MetroLink[nodes][perNode];
        for (int node = 0; node < nodes; node++)
        {
            for (int c = 0; c < perNode; c++)
            {
                links[node][c] = new MetroLink(
                    node, null, new InetSocketAddress("127.0.0.1", 7000 + node), handshake, 16, 1_000, new Readiness());
            }
        }
        return links;
    }

    private static void ready(final MetroLink link)
    {
        link.ready = true;
        link.settled = true;
    }

    @Test
    void shouldRouteToAReadyConnectionOfTheHomeMapd()
    {
        final MetroLink[][] links = links(3, 2);
        final Router router = new Router(links, System.nanoTime() - 1);
        ready(links[1][1]);
        ready(links[2][0]);
        assertSame(links[1][1], router.route(1, 0), "the home mapd's ready connection, not its down one");
        assertSame(links[1][1], router.route(1, 1));
        ready(links[1][0]);
        assertSame(links[1][0], router.route(1, 0), "spread picks among the ready connections");
        assertSame(links[1][1], router.route(1, 1));
        assertEquals(3, router.readyConnections());
    }

    @Test
    void shouldRouteToTheNextReadyMapdWhenTheHomeOneIsDown()
    {
        final MetroLink[][] links = links(3, 1);
        final Router router = new Router(links, System.nanoTime() - 1);
        ready(links[0][0]);
        ready(links[2][0]);
        links[1][0].settled = true;
        assertSame(links[2][0], router.route(1, 0), "the next mapd after the home one");
        links[2][0].ready = false;
        assertSame(links[0][0], router.route(1, 0), "wraps around to the first mapd");
        links[0][0].ready = false;
        assertNull(router.route(1, 0), "no mapd ready");
        final MetroLink first = router.first(1);
        assertSame(links[1][0], first, "with no mapd ready, a new call waits on its home mapd");
    }

    @Test
    void shouldWaitForAHomeMapdWhoseFirstConnectionIsBeingSetUp()
    {
        final MetroLink[][] links = links(2, 2);
        final Router router = new Router(links, System.nanoTime() + HOUR_NS);
        ready(links[1][0]);
        assertTrue(router.isConnecting(0));
        assertSame(links[0][1], router.route(0, 1), "waits on its home mapd, not on the ready other one");
        links[0][0].settled = true;
        assertFalse(router.isConnecting(0), "a connection attempt ended: no longer connecting");
        assertSame(links[1][0], router.route(0, 1), "the home mapd failed to connect: the next ready mapd");
    }

    @Test
    void shouldStopWaitingForAConnectingHomeMapdAfterTheDeadline()
    {
        final MetroLink[][] links = links(2, 1);
        final Router router = new Router(links, System.nanoTime() - 1);
        ready(links[1][0]);
        assertFalse(router.isConnecting(0), "past the deadline nothing is connecting");
        assertSame(links[1][0], router.route(0, 0));
    }

    @Test
    void shouldTellWhenEveryConnectionWasRefusedAtHello()
    {
        final MetroLink[][] links = links(2, 1);
        final Router router = new Router(links, System.nanoTime() - 1);
        assertFalse(router.allRefused(), "never connected is not refused");
        links[0][0].refusal = StatusCodes.AUTH_FAILED;
        assertFalse(router.allRefused(), "one mapd not refused yet");
        links[1][0].refusal = StatusCodes.UNSUPPORTED_VERSION;
        assertTrue(router.allRefused());
        assertEquals(StatusCodes.AUTH_FAILED, Failures.noMapd(router.allLinks(), 1_000, java.util.List.of()).status(),
            "a refused token is reported before a version mismatch");
        ready(links[1][0]);
        assertFalse(router.allRefused(), "a ready connection");
    }

    @Test
    void shouldGiveEveryKeyOneHomeAndSpreadKeysOverEveryMapd()
    {
        final int[] counts = new int[3];
        for (int i = 0; i < 3_000; i++)
        {
            final byte[] key = ("key:" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final int home = Router.homeNode(key, 3);
            assertEquals(home, Router.homeNode(key.clone(), 3));
            counts[home]++;
        }
        for (final int count : counts)
        {
            assertTrue(count > 800, "keys spread over every mapd: " + java.util.Arrays.toString(counts));
        }
    }
}
