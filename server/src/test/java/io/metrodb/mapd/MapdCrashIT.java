package io.metrodb.mapd;

import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.testing.OncePerSuite;
import io.metrodb.testing.DaemonProcess;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mapd in its own JVM, SIGKILLed in the middle of a SETSAFE load and restarted on the same directory:
 * every SETSAFE it acknowledged must be there, byte for byte.
 */
class MapdCrashIT
{
    @TempDir
    Path root;

    private TestCluster cluster;
    private DaemonProcess mapd;

    /** Heavy, and depends on no JDK feature the later passes' other tests do not exercise. */
    @BeforeAll
    static void oncePerSuite()
    {
        OncePerSuite.assume("MapdCrashIT");
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        if (mapd != null)
        {
            mapd.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private int startMapd() throws IOException, InterruptedException
    {
        return startMapd(0, List.of());
    }

    private int startMapd(final int port, final List<Integer> peers) throws IOException, InterruptedException
    {
        final StringBuilder logds = new StringBuilder();
        for (final int logdPort : cluster.logdPorts())
        {
            logds.append(logds.length() == 0 ? "" : ",").append(TestCluster.HOST).append(':').append(logdPort);
        }
        final List<String> args = new ArrayList<>(List.of(
            "mapd",
            "--dir", root.resolve("mapd").toString(),
            "--port", Integer.toString(port),
            "--node-id", "7",
            "--logds", logds.toString(),
            "--rf", "2",
            "--max-value", "1m",
            "--snapshot-interval-ms", "150"));
        if (!peers.isEmpty())
        {
            args.add("--peers");
            args.add(peers.stream().map(p -> TestCluster.HOST + ":" + p).collect(java.util.stream.Collectors.joining(",")));
            args.add("--sync-interval-ms");
            args.add("100");
        }
        mapd = DaemonProcess.start("mapd", root.resolve("logs"), List.of("-Xmx512m"), args.toArray(new String[0]));
        return mapd.port();
    }

    @Test
    void shouldKeepEverySetSafeItAcknowledgedAcrossSigkill() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        int port = startMapd();
        final Map<String, byte[]> acknowledged = new HashMap<>();
        try (MapdClient client = new MapdClient(port))
        {
            int batch = 0;
            while (acknowledged.size() < 3000 && batch < 1000)
            {
                final Map<String, byte[]> entries = batch(batch++);
                client.setAll(Opcodes.SETSAFE, entries).forEach((key, reply) ->
                {
                    if (reply.status() == StatusCodes.OK)
                    {
                        acknowledged.put(key, entries.get(key));
                    }
                });
            }
            // Kill it with a batch in flight: those answers never arrive and do not count.
            final Map<String, byte[]> inFlight = batch(batch);
            client.socket().send(out -> inFlight.forEach((key, value) ->
                io.metrodb.protocol.mapd.SetRequest.encode(out, 1_000_000 + key.hashCode(), Opcodes.SETSAFE,
                    MapdClient.bytes(key), value)));
        }
        mapd.kill();
        assertTrue(acknowledged.size() >= 3000, "enough acknowledged writes: " + acknowledged.size());

        port = startMapd();
        try (MapdClient client = new MapdClient(port))
        {
            final Map<String, MapdClient.Reply> replies = client.getAll(acknowledged.keySet());
            acknowledged.forEach((key, value) ->
            {
                final MapdClient.Reply reply = replies.get(key);
                assertEquals(StatusCodes.OK, reply.status(), key + " lost after SIGKILL: " + reply.message());
                assertArrayEquals(value, reply.value(), key);
            });
            assertEquals(StatusCodes.OK, client.setSafe("after-restart", MapdClient.bytes("v")).status(),
                "writes continue after the restart");
        }
    }

    private static Map<String, byte[]> batch(final int batch)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++)
        {
            final int n = batch * 50 + i;
            entries.put("key-" + n, ("value-" + n + "-" + "x".repeat(n % 200)).getBytes(StandardCharsets.UTF_8));
        }
        return entries;
    }

    @Test
    void shouldCatchUpFromItsPeersAfterSigkillDuringWrites() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final int[] ports = {Ports.unused(1)[0], Ports.unused(1)[0], Ports.unused(1)[0]};
        final List<MapdServer> peers = new ArrayList<>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                final List<Integer> others = new ArrayList<>(List.of(ports[1 - i], ports[2]));
                final MapdServer peer = MapdServer.start(cluster.peerConfig("peer" + i, i + 1, ports[i], others, 1 << 16));
                peer.whenLogdsHealthy(3).get(10, TimeUnit.SECONDS);
                peers.add(peer);
            }
            assertEquals(ports[2], startMapd(ports[2], List.of(ports[0], ports[1])));
            final Map<String, Convergence.Expected> acknowledged = new HashMap<>();
            try (MapdClient atA = new MapdClient(ports[0]); MapdClient atC = new MapdClient(ports[2]))
            {
                for (int b = 0; b < 20; b++)
                {
                    final Map<String, byte[]> atCBatch = batch(1000 + b);
                    acknowledged.putAll(Convergence.acknowledged(batch(b), atA.setAll(Opcodes.SET, batch(b))));
                    acknowledged.putAll(Convergence.acknowledged(atCBatch, atC.setAll(Opcodes.SET, atCBatch)));
                }
                final Map<String, byte[]> inFlight = batch(2000);
                atC.socket().send(out -> inFlight.forEach((key, value) ->
                    io.metrodb.protocol.mapd.SetRequest.encode(out, 5_000_000 + key.hashCode(), Opcodes.SET,
                        MapdClient.bytes(key), value)));
                mapd.kill();
                for (int b = 20; b < 40; b++)
                {
                    acknowledged.putAll(Convergence.acknowledged(batch(b), atA.setAll(Opcodes.SET, batch(b))));
                }
            }
            startMapd(ports[2], List.of(ports[0], ports[1]));
            // Every acknowledged SET (the killed mapd's too: its journal was in the page cache) with its value; the
            // SETs in flight at the kill may or may not have been applied, but the same everywhere.
            final long ms = Convergence.awaitConverged(20_000, acknowledged, batch(2000).keySet(), ports);
            System.out.println("the SIGKILLed mapd caught up in " + ms + " ms");
            assertTrue(GridDump.of(ports[2]).containsKey("key-1999"), "changes written while it was down arrived");
        }
        finally
        {
            for (final MapdServer peer : peers)
            {
                peer.close();
            }
        }
    }
}
