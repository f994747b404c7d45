package io.metrodb.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

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
}
