package io.metrodb.tools.deploy;

import com.sun.net.httpserver.HttpServer;
import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.tools.testing.ToolsCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * deploy/docker/healthcheck.sh, which the compose healthchecks and the mapd's readiness probe run in the image,
 * against a real logd and mapd (with an auth token) and a stand-in HTTP server: healthy is exit status 0, anything
 * else 1.
 */
class HealthcheckScriptTest
{
    private static final String TOKEN = "s3cret token";
    private static final Path SCRIPT = Path.of(System.getProperty("basedir", "."))
        .toAbsolutePath().normalize().getParent().resolve("deploy/docker/healthcheck.sh");

    @TempDir
    Path dir;

    private LogdServer logd;
    private MapdServer mapd;
    private HttpServer http;

    @AfterEach
    void stop()
    {
        if (http != null)
        {
            http.stop(0);
        }
        if (mapd != null)
        {
            mapd.close();
        }
        if (logd != null)
        {
            logd.close();
        }
    }

    @Test
    void shouldFindLogdAndMapdHealthyOnlyOnTheirPortsAndWithTheToken() throws Exception
    {
        final int maxEntry = (1 << 16) + ProtocolLimits.MAX_KEY_LENGTH + 64;
        final LogConfig log = new LogConfig().directory(dir.resolve("logd")).segmentLength(16 << 20)
            .maxEntryLength(maxEntry).validate();
        logd = LogdServer.start(new LogdConfig(ToolsCluster.HOST, 0, 1, TOKEN, 1,
            ProtocolLimits.frameLengthFor(maxEntry), log));
        final List<InetSocketAddress> logds = List.of(new InetSocketAddress(ToolsCluster.HOST, logd.port()));
        mapd = MapdServer.start(new MapdConfig(ToolsCluster.HOST, 0, dir.resolve("mapd"), 1, logds, 1, 1 << 16,
            TOKEN, 10_000, 0, 0, List.of(), 10_000, 100, 1 << 16));
        mapd.whenLogdsHealthy(1).get(60, TimeUnit.SECONDS);

        assertEquals(0, run(Map.of(), "tcp", String.valueOf(logd.port())), "a logd accepting connections");
        assertEquals(0, run(Map.of("METRODB_AUTH_TOKEN", TOKEN), "resp", String.valueOf(mapd.port())),
            "a mapd answering PING after AUTH");
        assertEquals(1, run(Map.of(), "resp", String.valueOf(mapd.port())),
            "a mapd that wants a token the check does not have answers NOAUTH, not PONG");
        assertEquals(1, run(Map.of("METRODB_AUTH_TOKEN", "wrong"), "resp", String.valueOf(mapd.port())),
            "a wrong token");

        final int closed = ToolsCluster.freePort();
        assertEquals(1, run(Map.of(), "tcp", String.valueOf(closed)), "nothing listening");
        assertEquals(1, run(Map.of(), "resp", String.valueOf(closed)), "nothing listening");
    }

    @Test
    void shouldFindGatewayHealthyOnlyOnA200() throws Exception
    {
        http = HttpServer.create(new InetSocketAddress(ToolsCluster.HOST, 0), 0);
        http.createContext("/healthz", exchange -> answer(exchange, 200, "ok"));
        http.createContext("/down", exchange -> answer(exchange, 503, "no mapd reachable"));
        http.start();
        final String port = String.valueOf(http.getAddress().getPort());

        assertEquals(0, run(Map.of(), "http", port), "/healthz answering 200");
        assertEquals(0, run(Map.of(), "http", port, "/healthz"), "/healthz answering 200");
        assertEquals(1, run(Map.of(), "http", port, "/down"), "503");
        assertEquals(1, run(Map.of(), "http", String.valueOf(ToolsCluster.freePort())), "nothing listening");
        assertEquals(2, run(Map.of(), "http", "x"), "a port that is no number");
        assertEquals(2, run(Map.of(), "udp", port), "an unknown kind");
    }

    private static void answer(final com.sun.net.httpserver.HttpExchange exchange, final int status,
        final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    private static int run(final Map<String, String> env, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("METRODB_AUTH_TOKEN");
        builder.environment().putAll(env);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        if (process.exitValue() > 2)
        {
            throw new AssertionError(command + " exited " + process.exitValue() + ": " + output);
        }
        return process.exitValue();
    }
}
