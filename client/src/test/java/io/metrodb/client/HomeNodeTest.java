package io.metrodb.client;

import io.metrodb.client.FakeMapd.Mode;
import io.metrodb.protocol.Opcodes;
import io.metrodb.testing.Await;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HomeNodeTest
{
    @Test
    void shouldSendOneKeyToOneNodeAndSpreadKeysEvenly()
    {
        final int nodes = 3;
        final int keys = 30_000;
        final int[] counts = new int[nodes];
        for (int i = 0; i < keys; i++)
        {
            final byte[] key = ("user:" + i).getBytes(StandardCharsets.UTF_8);
            final int node = MetroClient.homeNode(key, nodes);
            assertEquals(node, MetroClient.homeNode(key.clone(), nodes), "a key always has the same home");
            counts[node]++;
        }
        for (final int count : counts)
        {
            assertTrue(Math.abs(count - keys / nodes) < keys / nodes / 10, "uneven spread " + java.util.Arrays.toString(counts));
        }
        for (int n = 1; n <= 7; n++)
        {
            for (int i = 0; i < 1000; i++)
            {
                final int node = MetroClient.homeNode(new byte[] {(byte)i, (byte)(i >> 8)}, n);
                assertTrue(node >= 0 && node < n);
            }
        }
    }

    /**
     * Read-your-writes from a client's first call: a call made while its home mapd's connection is still being set
     * up (connected, HELLO not answered yet) must wait for it, not go to another mapd that connected first, or a
     * read of the key made once the home connection is up would miss the write.
     */
    @Test
    void shouldWaitForTheHomeMapdWhileItsFirstConnectionIsSetUp() throws Exception
    {
        try (FakeMapd home = new FakeMapd(null, Mode.ANSWER);
            FakeMapd other = new FakeMapd(null, Mode.ANSWER))
        {
            home.holdConnections();
            try (MetroClient client = MetroClient.builder(List.of(home.address(), other.address()))
                .requestTimeoutMs(60_000).build())
            {
                Await.until("the other mapd connected, the home one held", 30_000,
                    () -> client.readyConnections() == 1 && home.heldConnections() == 1);
                final byte[] key = homedAt(0, 2);
                final CompletableFuture<WriteResult> write = client.setAsync(key, key);
                final CompletableFuture<byte[]> read = client.getAsync(key);
                home.releaseConnections();
                write.get(60, TimeUnit.SECONDS);
                read.get(60, TimeUnit.SECONDS);
                assertEquals(0, other.swallowed.get(), "a call went to a mapd other than its key's home");
                assertEquals(2, home.swallowed.get(), "both calls reached the home mapd");
            }
        }
    }

    /**
     * A call put on a connection of its home mapd that is not ready while another connection of that mapd is (the
     * first came up between routing the call and running it) goes to the ready one, not to another mapd.
     */
    @Test
    void shouldMoveANotReadyCallToAReadyConnectionOfItsHomeMapd() throws Exception
    {
        try (FakeMapd home = new FakeMapd(null, Mode.ANSWER);
            FakeMapd other = new FakeMapd(null, Mode.ANSWER))
        {
            home.holdConnectionsAfter(1);
            try (MetroClient client = MetroClient.builder(List.of(home.address(), other.address()))
                .connectionsPerNode(2).requestTimeoutMs(60_000).build())
            {
                Await.until("one home connection and both of the other mapd's ready, one held", 30_000,
                    () -> client.readyConnections() == 3 && home.heldConnections() == 1);
                MetroLink notReady = null;
                for (final MetroLink link : client.linksOf(0))
                {
                    notReady = link.ready ? notReady : link;
                }
                assertNotNull(notReady, "the held connection of the home mapd");
                final byte[] key = homedAt(0, 2);
                final MetroCall call = new MetroCall(client, Opcodes.SET, (byte)0, key, key, 0,
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                call.dispatch(notReady);
                call.future.get(60, TimeUnit.SECONDS);
                assertEquals(0, other.swallowed.get(), "the call went to a mapd other than its key's home");
                assertEquals(1, home.swallowed.get(), "the call reached the home mapd");
            }
        }
    }

    private static byte[] homedAt(final int node, final int nodes)
    {
        for (int i = 0; ; i++)
        {
            final byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
            if (MetroClient.homeNode(key, nodes) == node)
            {
                return key;
            }
        }
    }
}
