package io.metrodb.client;

import io.metrodb.client.FakeMapd.Mode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                LocalCluster.awaitCondition("the other mapd connected, the home one held",
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
