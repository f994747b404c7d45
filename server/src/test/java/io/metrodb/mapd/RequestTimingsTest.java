package io.metrodb.mapd;

import io.metrodb.protocol.Info;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INFO's request timings count what the mapd served, stage by stage, and {@code latency-reset} clears them.
 */
class RequestTimingsTest
{
    @TempDir
    Path root;

    private TestCluster cluster;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldCountEachServedRequestAndStageAndClearOnLatencyReset() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final MapdServer mapd = cluster.startMapd(2);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            info(client, MapdRequestHandler.LATENCY_RESET);
            for (int i = 0; i < 3; i++)
            {
                assertEquals(StatusCodes.OK, client.set("k" + i, bytes("v" + i)).status());
            }
            assertEquals(StatusCodes.OK, client.setSafe("safe", bytes("v")).status());
            assertEquals(StatusCodes.OK, client.get("k0").status());
            assertEquals(StatusCodes.NOT_FOUND, client.get("absent").status());

            final Map<String, String> timings = timings(info(client, ""));
            assertCount(timings, "get", 2);
            assertCount(timings, "set", 3);
            assertCount(timings, "setsafe", 1);
            assertCount(timings, "del", 0);
            assertCount(timings, "write_appended", 4);
            assertCount(timings, "durable_journal", 1);
            assertCount(timings, "durable_logds_forced", 1);
            assertTrue(timings.get("setsafe").contains(",p50="), timings.get("setsafe"));

            final Map<String, String> reset = timings(info(client, MapdRequestHandler.LATENCY_RESET));
            assertEquals(timings.keySet(), reset.keySet(), "latency-reset shows the same timings");
            assertCount(reset, "set", 3);
            assertCount(timings(info(client, MapdRequestHandler.LATENCY_RESET)), "set", 0);
        }
    }

    private static void assertCount(final Map<String, String> timings, final String name, final long count)
    {
        assertTrue(timings.get(name).startsWith("count=" + count + (count > 0 ? "," : "")),
            name + ": " + timings.get(name));
    }

    private static Map<String, String> timings(final String info)
    {
        final Map<String, String> timings = new HashMap<>();
        for (final String line : info.split("\n"))
        {
            if (line.startsWith("latency_") && line.contains("_us:"))
            {
                timings.put(line.substring("latency_".length(), line.indexOf("_us:")),
                    line.substring(line.indexOf("_us:") + 4));
            }
        }
        return timings;
    }

    private static String info(final MapdClient client, final String section) throws Exception
    {
        client.socket().send(out -> Info.encodeRequest(out, 999, section));
        final ByteBuf reply = client.socket().readFrame();
        try
        {
            return Info.text(reply, 0);
        }
        finally
        {
            reply.release();
        }
    }
}
