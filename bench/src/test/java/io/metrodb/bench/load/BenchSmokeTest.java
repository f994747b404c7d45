package io.metrodb.bench.load;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Short runs of the harness's command line against a real cluster in this JVM (2 logds, 2 peer mapds, RF 2), through
 * the SDK and over RESP to a mapd, and against a local redis-server when one is installed: every run must answer
 * requests of each operation of its mix and none may fail.
 */
class BenchSmokeTest
{
    private static final long SEED = Long.getLong("bench.seed", System.nanoTime());

    @TempDir
    static Path root;

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception
    {
        cluster = TestCluster.builder(root.resolve("cluster")).logds(2).mapds(2).rf(2).awaitPeers(true).start();
    }

    @AfterAll
    static void stopCluster()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private static JsonObject run(final String name, final String... options) throws IOException
    {
        final Path out = root.resolve(name);
        final List<String> args = new ArrayList<>(List.of("--keys", "300", "--preload", "0", "--connections", "2",
            "--in-flight", "4", "--duration", "500ms", "--warmup", "100ms", "--seed", Long.toString(SEED),
            "--no-progress", "--json", "--out", out.toString()));
        args.addAll(List.of(options));
        final int code = new CommandLine(new BenchCommand()).setOverwrittenOptionsAllowed(true)
            .execute(args.toArray(new String[0]));
        assertEquals(0, code, name + ": exit code, seed " + SEED + " (-Dbench.seed)");
        assertTrue(Files.exists(out.resolve("all.hgrm")), name + ": all.hgrm");
        return JsonParser.parseString(Files.readString(out.resolve("result.json"))).getAsJsonObject();
    }

    private static void assertAnsweredWithoutErrors(final String name, final JsonObject result, final String... ops)
    {
        final String context = name + ", seed " + SEED + ": " + result;
        assertEquals(0, result.get("preloadErrors").getAsLong(), context);
        assertEquals(0, result.getAsJsonObject("all").get("errors").getAsLong(), context);
        assertTrue(result.getAsJsonObject("all").get("count").getAsLong() > 0, context);
        for (final String op : ops)
        {
            assertTrue(result.getAsJsonObject("ops").getAsJsonObject(op).get("count").getAsLong() > 0,
                op + " answered, " + context);
        }
    }

    @Test
    void shouldDriveTheClusterThroughTheSdk() throws Exception
    {
        final JsonObject result = run("sdk", "--target", "metrodb://" + cluster.mapdList(),
            "--mix", "get=60,set=20,setsafe=10,del=10", "--preload", "300");
        assertAnsweredWithoutErrors("sdk", result, "get", "set", "setsafe", "del");
        assertEquals(300, result.get("preloaded").getAsLong(), "seed " + SEED + ": " + result);
        assertEquals("closed", result.get("mode").getAsString());
    }

    @Test
    void shouldKeepToTheRateInTheOpenLoop() throws Exception
    {
        final JsonObject result = run("sdk-open", "--target", "metrodb://" + cluster.mapdList(), "--rate", "200",
            "--distribution", "zipfian", "--value-size", "10..500");
        assertAnsweredWithoutErrors("sdk-open", result, "get", "set");
        // Every request meant to start in the measured half second is answered or counted as unsent: 100.
        final long accounted = result.getAsJsonObject("all").get("count").getAsLong() +
            result.get("unsent").getAsLong();
        assertEquals(100, accounted, 2, "seed " + SEED + ": " + result);
    }

    @Test
    void shouldCompareTheSdkWithRespToAMapdInOneCommand() throws Exception
    {
        final Path out = root.resolve("compare");
        final String[] args = {"--keys", "300", "--connections", "2", "--in-flight", "4", "--duration", "500ms",
            "--warmup", "100ms", "--seed", Long.toString(SEED), "--no-progress", "--mix", "get=70,set=20,del=10",
            "--target", "metrodb://" + cluster.mapdList(), "--compare", "redis://127.0.0.1:" + cluster.mapdPorts()[0],
            "--out", out.toString()};
        assertEquals(0, new CommandLine(new BenchCommand()).execute(args), "exit code, seed " + SEED);
        for (final String target : List.of("metrodb", "redis"))
        {
            final JsonObject result = JsonParser.parseString(
                Files.readString(out.resolve(target).resolve("result.json"))).getAsJsonObject();
            assertAnsweredWithoutErrors(target, result, "get", "set", "del");
            assertTrue(result.get("target").getAsString().startsWith(target + "://"), result.toString());
        }
        for (final String plot : List.of("get.svg", "set.svg", "del.svg", "all.svg"))
        {
            final String svg = Files.readString(out.resolve(plot));
            assertTrue(svg.contains("<title>metrodb</title>") && svg.contains("<title>redis</title>"),
                plot + " has a line per target");
        }
    }

    @Test
    void shouldDriveRedisWhenItIsInstalled() throws Exception
    {
        final String redisServer = onPath("redis-server");
        Assumptions.assumeTrue(redisServer != null, "skipped: redis-server is not installed (not on PATH)");
        Process redis = null;
        int port = 0;
        try
        {
            // A port free a moment ago may be taken by the time redis-server binds it: then another one.
            for (int attempt = 0; attempt < Ports.BIND_ATTEMPTS && redis == null; attempt++)
            {
                port = Ports.unused(1)[0];
                final Process started = startRedis(redisServer, port);
                if (accepts(started, port))
                {
                    redis = started;
                }
                else
                {
                    stop(started);
                }
            }
            assertTrue(redis != null, "redis-server did not start: " + Files.readString(root.resolve("redis.log")));
            final JsonObject result = run("redis", "--target", "redis://127.0.0.1:" + port,
                "--mix", "get=60,set=20,setsafe=10,del=10", "--preload", "300");
            assertAnsweredWithoutErrors("redis", result, "get", "set", "setsafe", "del");
            assertEquals(300, result.get("preloaded").getAsLong(), "seed " + SEED + ": " + result);
        }
        finally
        {
            if (redis != null)
            {
                stop(redis);
            }
        }
    }

    private static Process startRedis(final String redisServer, final int port) throws IOException
    {
        return new ProcessBuilder(redisServer, "--port", Integer.toString(port), "--bind", Ports.HOST, "--save", "",
            "--appendonly", "no").redirectErrorStream(true).redirectOutput(root.resolve("redis.log").toFile())
            .start();
    }

    /**
     * @return true once {@code redis} accepts connections on {@code port}, false when it exited first.
     */
    private static boolean accepts(final Process redis, final int port) throws Exception
    {
        final boolean[] exited = new boolean[1];
        Await.until("redis-server accepts connections on " + port + " or exits", 30_000, () ->
        {
            if (!redis.isAlive())
            {
                exited[0] = true;
                return true;
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(Ports.HOST, port), 1_000);
                return true;
            }
            catch (final IOException e)
            {
                return false;
            }
        });
        return !exited[0];
    }

    private static void stop(final Process redis) throws InterruptedException
    {
        redis.destroy();
        if (!redis.waitFor(10, TimeUnit.SECONDS))
        {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String onPath(final String command)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }
}
