package io.metrodb.tools.up;

import io.metrodb.client.MetroClient;
import io.metrodb.protocol.testing.Await;
import io.metrodb.tools.cli.CliCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrodb up} as a user runs it: a child JVM ({@code io.metrodb.tools.ToolsMain up}, daemons from this
 * test's classpath) on a free base port in a temp dir. It gets ready, serves a SET/GET, restarts a mapd killed with
 * SIGKILL, on SIGTERM stops every process it started, and the next up finds the data; a taken port is refused
 * before anything starts;
 * {@code --detach} returns once ready, {@code status} shows it, {@code down} leaves no process.
 */
class UpCommandTest
{
    private static final long READY_TIMEOUT_MS = 240_000;
    private static final long STOP_TIMEOUT_MS = 90_000;
    private static final int NODES = 6;
    /** The gateway listens on the base port minus this (7080 for the default 7550). */
    private static final int GATEWAY_OFFSET = 470;

    @TempDir
    Path dir;

    private Process up;
    private Path upOutput;

    @AfterEach
    void killLeftovers() throws IOException
    {
        if (up != null)
        {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
        for (final long pid : pidsInPidFiles(dir.resolve("data")))
        {
            ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains("metrodb"))
                .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void shouldDetachThenReportStatusAndStopEverythingOnDown() throws Exception
    {
        final int base = freeBasePort();
        final Path data = dir.resolve("data");
        up = startUp(base, data, "--detach");
        assertTrue(up.waitFor(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS), "up --detach returns: " + describe());
        assertEquals(0, up.exitValue(), describe());
        assertTrue(hasLine("ready:"), describe());
        assertTrue(hasLine("running in the background (pid "), describe());
        final List<Long> pids = pidsInPidFiles(data);
        assertEquals(NODES + 3, pids.size(), "up and 8 nodes (6 logds and mapds, mond, the gateway): " + pids +
            describe());
        for (final long pid : pids)
        {
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), pid + describe());
        }

        final Process status = tool(data, "status");
        assertTrue(status.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS), describe());
        assertEquals(0, status.exitValue(), describe());
        assertTrue(hasLine("mapd2    mapd     127.0.0.1:" + (base + 1)), describe());
        assertTrue(hasLine("mond sees 6 of 6 nodes UP"), describe());

        final Process down = tool(data, "down");
        assertTrue(down.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS), describe());
        assertEquals(0, down.exitValue(), describe());
        for (final long pid : pids)
        {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "left: " + pid + describe());
        }
        assertEquals(List.of(), pidsInPidFiles(data), describe());
        final Process after = tool(data, "status");
        assertTrue(after.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS), describe());
        assertEquals(1, after.exitValue(), "status once down: " + describe());
    }

    private Process tool(final Path data, final String command) throws IOException
    {
        return new ProcessBuilder(Launcher.javaBinary(), "-cp", System.getProperty("java.class.path"),
            "io.metrodb.tools.ToolsMain", command, "--dir", data.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(upOutput.toFile()))
            .start();
    }

    private static List<Long> pidsInPidFiles(final Path data) throws IOException
    {
        final List<Long> pids = new ArrayList<>();
        if (!Files.isDirectory(data))
        {
            return pids;
        }
        try (var files = Files.list(data))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".pid")).toList())
            {
                pids.add(Long.parseLong(Files.readString(file).trim()));
            }
        }
        return pids;
    }

    @Test
    void shouldServeRestartAKilledMapdAndLeaveNoProcessOnSigterm() throws Exception
    {
        final int base = freeBasePort();
        up = startUp(base, dir.resolve("data"));
        Await.until("up prints ready", READY_TIMEOUT_MS, () -> hasLine("ready:"), this::describe);
        assertTrue(hasLine("mapd1    mapd     127.0.0.1:" + base), describe());
        assertTrue(hasLine("mond     mond     127.0.0.1:" + (base + 20)), describe());
        assertTrue(hasLine("logd3    logd     127.0.0.1:" + (base + 10)), describe());

        try (MetroClient client = MetroClient.builder(mapds(base)).build())
        {
            client.set("up-key", "up-value");
            assertEquals("up-value", client.get("up-key"), describe());
        }
        assertServesThroughTheGatewayAndTheCli(base);

        final Path pidFile = dir.resolve("data").resolve("mapd1.pid");
        final long killed = Long.parseLong(Files.readString(pidFile).trim());
        final ProcessHandle mapd = ProcessHandle.of(killed).orElseThrow();
        assertTrue(up.descendants().anyMatch(p -> p.pid() == killed), "mapd1 is a child of up: " + describe());
        assertEquals(killed, Long.parseLong(Files.readString(dir.resolve("data").resolve("logd1.pid")).trim()),
            "logd1 and mapd1 run in one process, host1: " + describe());
        mapd.destroyForcibly();
        Await.until("up restarts host1", READY_TIMEOUT_MS, () -> hasLine("host1 (logd1, mapd1, mond) restarted (pid "),
            this::describe);
        assertTrue(hasLine("host1 (logd1, mapd1, mond) exited (exit 137)"), describe());
        final long restarted = Long.parseLong(Files.readString(pidFile).trim());
        assertNotEquals(killed, restarted, describe());
        Await.until("mapd1 serves again and mond (restarted with host1) sees every node UP", READY_TIMEOUT_MS, () ->
        {
            try
            {
                final MondProbe.Health health = MondProbe.health(ClusterLayout.HOST, base + 20, 2_000);
                return health.up() == NODES && Supervisor.accepts(base);
            }
            catch (final IOException e)
            {
                return false; // mond is not listening yet
            }
        }, this::describe);
        try (MetroClient client = MetroClient.builder("127.0.0.1:" + base).build())
        {
            Await.until("mapd1 answers GET after its restart", READY_TIMEOUT_MS, () ->
            {
                try
                {
                    return "up-value".equals(client.get("up-key"));
                }
                catch (final RuntimeException e)
                {
                    return false;
                }
            }, this::describe);
        }

        final List<ProcessHandle> children = up.descendants().collect(Collectors.toList());
        assertTrue(children.size() >= NODES / 2, "up's children (3 hosts): " + children + describe());
        up.destroy();
        assertTrue(up.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS), "up stops on SIGTERM: " + describe());
        for (final ProcessHandle child : children)
        {
            assertTrue(child.onExit().isDone() || !child.isAlive(), "left behind: " + child.pid() + describe());
        }
        assertTrue(hasLine("metrodb up: stopped"), describe());
        assertFalse(Files.exists(pidFile), "pid files are removed: " + describe());
        assertTrue(Files.isRegularFile(dir.resolve("data").resolve("mapd1").resolve("node.id")), describe());

        // The next up on the same --dir finds the data.
        final int linesBefore = output().size();
        up = startUp(base, dir.resolve("data"));
        Await.until("the second up prints ready", READY_TIMEOUT_MS,
            () -> output().stream().skip(linesBefore).anyMatch(line -> line.startsWith("ready:")), this::describe);
        try (MetroClient client = MetroClient.builder(mapds(base)).build())
        {
            assertEquals("up-value", client.get("up-key"), describe());
        }
        up.destroy();
        assertTrue(up.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS), "the second up stops: " + describe());
    }

    @Test
    void shouldNameATakenPortAndStartNothing() throws Exception
    {
        final int base = freeBasePort();
        try (ServerSocket taken = new ServerSocket())
        {
            taken.bind(new InetSocketAddress("127.0.0.1", base + 9));
            up = startUp(base, dir.resolve("data"));
            assertTrue(up.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS), describe());
            assertEquals(1, up.exitValue(), describe());
            assertTrue(hasLine("port " + (base + 9) + " (logd2) is already in use"), describe());
            assertFalse(hasLine("ready:"), describe());
            assertFalse(Files.exists(dir.resolve("data").resolve("logd1.pid")), "nothing started: " + describe());
            assertFalse(Files.exists(dir.resolve("data").resolve("logd1")), "nothing started: " + describe());
        }
    }

    /**
     * A SET through the REST gateway up started, read back through it and through metrodb-cli.
     */
    private void assertServesThroughTheGatewayAndTheCli(final int base) throws Exception
    {
        final String gateway = "http://127.0.0.1:" + (base - GATEWAY_OFFSET);
        assertTrue(hasLine("gateway  gateway  127.0.0.1:" + (base - GATEWAY_OFFSET)), describe());
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Await.until("the gateway answers /healthz", READY_TIMEOUT_MS, () ->
        {
            try
            {
                return http.send(HttpRequest.newBuilder(URI.create(gateway + "/healthz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            }
            catch (final IOException e)
            {
                return false;
            }
        }, this::describe);
        final HttpResponse<Void> set = http.send(HttpRequest.newBuilder(URI.create(gateway + "/rest%20key"))
            .POST(HttpRequest.BodyPublishers.ofString("from curl")).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(204, set.statusCode(), describe());
        final HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(gateway + "/up-key")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode(), describe());
        assertEquals("up-value", get.body(), "a value SET through the SDK, read through the gateway");

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CliCommand cli = new CliCommand(new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
            name -> null, false, false);
        final int code = CliCommand.execute(cli, new String[] {"-p", Integer.toString(base + 1), "GET", "rest key"});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertEquals("\"from curl\"\n", out.toString(StandardCharsets.UTF_8),
            "a value POSTed to the gateway, read through metrodb-cli from another mapd");
    }

    private Process startUp(final int base, final Path data, final String... extra) throws IOException
    {
        upOutput = dir.resolve("up.out");
        final List<String> command = new ArrayList<>();
        command.add(Launcher.javaBinary());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.metrodb.tools.ToolsMain");
        command.addAll(List.of("up", "--dir", data.toString(), "--base-port", Integer.toString(base),
            "--classpath-launch"));
        command.addAll(List.of(extra));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(upOutput.toFile()));
        // A quicker start on a loaded box: these daemons serve a handful of requests.
        builder.environment().put("METRODB_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m");
        final Process process = builder.start();
        return process;
    }

    private boolean hasLine(final String text) throws IOException
    {
        return output().stream().anyMatch(line -> line.contains(text));
    }

    private String describe() throws IOException
    {
        return "\nup's output:\n" + String.join("\n", output());
    }

    private List<String> output() throws IOException
    {
        return Files.exists(upOutput) ? Files.readAllLines(upOutput, StandardCharsets.UTF_8) : List.of();
    }

    private static String[] mapds(final int base)
    {
        return new String[] {"127.0.0.1:" + base, "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2)};
    }

    /**
     * A base port whose cluster ports (B..B+2, B+8..B+10, B+20, the gateway's B-470) can all be bound now.
     */
    private static int freeBasePort()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            if (allFree(base, base + 1, base + 2, base + 8, base + 9, base + 10, base + 20, base - GATEWAY_OFFSET))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free base port in 20000..30000");
    }

    private static boolean allFree(final int... ports)
    {
        for (final int port : ports)
        {
            try (ServerSocket socket = new ServerSocket())
            {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
            }
            catch (final IOException e)
            {
                return false;
            }
        }
        return true;
    }
}
