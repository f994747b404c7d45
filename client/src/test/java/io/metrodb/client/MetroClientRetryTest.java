package io.metrodb.client;

import io.metrodb.client.FakeMapd.Mode;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry rules, with two impostor mapds: calls go round-robin, so every other call meets the faulty one.
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
                LocalCluster.awaitCondition("both mapds connected", () -> client.readyConnections() == 2);
                assertNull(client.get("k" + i), "the lost GET was answered by the other mapd");
                assertFalse(client.exists("k" + i));
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
                LocalCluster.awaitCondition("both mapds connected", () -> client.readyConnections() == 2);
                final MetroUnavailableException e =
                    assertThrows(MetroUnavailableException.class, () -> client.set("k", "v"));
                assertTrue(e.getMessage().contains("may have been applied"), e.getMessage());
                assertEquals(2, client.set("k", "v").replicas());
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
                LocalCluster.awaitCondition("both mapds connected", () -> client.readyConnections() == 2);
                assertEquals(2, client.setSafe("k", "v").replicas());
                assertEquals(2, client.set("k", "v").replicas());
            }
            assertEquals(3, drop.swallowed.get());
            assertEquals(3, client.retries());
        }
    }

    @Test
    void shouldMoveRefusedAndUnsentWritesToAnotherMapd() throws Exception
    {
        final InetSocketAddress nobody = new InetSocketAddress(LocalCluster.HOST, LocalCluster.freePort());
        try (FakeMapd refuse = new FakeMapd(null, Mode.REFUSE);
            FakeMapd answer = new FakeMapd(null, Mode.ANSWER);
            MetroClient client = client(List.of(refuse.address(), nobody, answer.address()), false))
        {
            LocalCluster.awaitCondition("two mapds connected", () -> client.readyConnections() == 2);
            for (int i = 0; i < 6; i++)
            {
                assertEquals(2, client.set("k" + i, "v").replicas());
            }
            assertTrue(refuse.swallowed.get() > 0, "some writes were refused first");
        }
    }

    private static MetroClient client(final List<InetSocketAddress> mapds, final boolean retryWrites)
    {
        return MetroClient.builder(mapds).requestTimeoutMs(TIMEOUT_MS).retryWrites(retryWrites).build();
    }
}
