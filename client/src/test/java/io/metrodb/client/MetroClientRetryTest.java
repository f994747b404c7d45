package io.metrodb.client;

import io.metrodb.client.FakeMapd.Mode;
import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry rules, with two impostor mapds: keys are chosen by their home mapd, so a call meets the faulty one
 * first exactly when the test means it to.
 */
class MetroClientRetryTest
{
    private static final long TIMEOUT_MS = 10_000;

    @Test
    void shouldRetryReadsLostInFlightOnAnotherMapd() throws Exception
    {
        try (FakeMapd drop = new FakeMapd(null, Mode.DROP);
            FakeMapd answer = new FakeMapd(null, Mode.ANSWER);
            MetroClient client = client(List.of(drop.address(), answer.address()), false))
        {
            for (int i = 0; i < 6; i++)
            {
                Await.until("both mapds connected", 30_000, () -> client.readyConnections() == 2);
                assertNull(client.get(homedAt(0, i)), "the lost GET was answered by the other mapd");
                assertFalse(client.exists(homedAt(1, i)));
            }
            assertEquals(6, drop.swallowed.get(), "every GET first went to the dropping mapd");
            assertEquals(6, client.retries());
        }
    }

    @Test
    void shouldNotRetryWritesLostInFlightByDefault() throws Exception
    {
        try (FakeMapd drop = new FakeMapd(null, Mode.DROP);
            FakeMapd answer = new FakeMapd(null, Mode.ANSWER);
            MetroClient client = client(List.of(drop.address(), answer.address()), false))
        {
            for (int i = 0; i < 3; i++)
            {
                Await.until("both mapds connected", 30_000, () -> client.readyConnections() == 2);
                final String lost = homedAt(0, i);
                final MetroUnavailableException e =
                    assertThrows(MetroUnavailableException.class, () -> client.set(lost, "v"));
                assertTrue(e.getMessage().contains("may have been applied"), e.getMessage());
                assertEquals(2, client.set(homedAt(1, i), "v").replicas());
            }
            assertEquals(0, client.retries());
        }
    }

    @Test
    void shouldRetryWritesLostInFlightWhenAllowed() throws Exception
    {
        try (FakeMapd drop = new FakeMapd(null, Mode.DROP);
            FakeMapd answer = new FakeMapd(null, Mode.ANSWER);
            MetroClient client = client(List.of(drop.address(), answer.address()), true))
        {
            for (int i = 0; i < 3; i++)
            {
                Await.until("both mapds connected", 30_000, () -> client.readyConnections() == 2);
                assertEquals(2, client.setSafe(homedAt(0, i), "v").replicas());
                assertEquals(2, client.set(homedAt(1, i), "v").replicas());
            }
            assertEquals(3, drop.swallowed.get());
            assertEquals(3, client.retries());
        }
    }

    @Test
    void shouldMoveRefusedAndUnsentWritesToAnotherMapd() throws Exception
    {
        final InetSocketAddress nobody = new InetSocketAddress(Ports.HOST, Ports.unused(1)[0]);
        try (FakeMapd refuse = new FakeMapd(null, Mode.REFUSE);
            FakeMapd answer = new FakeMapd(null, Mode.ANSWER);
            MetroClient client = client(List.of(refuse.address(), nobody, answer.address()), false))
        {
            Await.until("two mapds connected", 30_000, () -> client.readyConnections() == 2);
            for (int i = 0; i < 6; i++)
            {
                assertEquals(2, client.set(homedAt(0, 3, i), "v").replicas());
                assertEquals(2, client.set(homedAt(1, 3, i), "v").replicas());
            }
            assertEquals(6, refuse.swallowed.get(), "the writes homed at the refusing mapd were refused first");
        }
    }

    private static String homedAt(final int node, final int n)
    {
        return homedAt(node, 2, n);
    }

    /**
     * @return the n-th key of the form "k..." whose home is {@code node} of {@code nodes} mapds.
     */
    private static String homedAt(final int node, final int nodes, final int n)
    {
        int found = 0;
        for (int i = 0; ; i++)
        {
            final String key = "k" + i;
            if (MetroClient.homeNode(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), nodes) == node && found++ == n)
            {
                return key;
            }
        }
    }

    private static MetroClient client(final List<InetSocketAddress> mapds, final boolean retryWrites)
    {
        return MetroClient.builder(mapds).requestTimeoutMs(TIMEOUT_MS).retryWrites(retryWrites).build();
    }
}
