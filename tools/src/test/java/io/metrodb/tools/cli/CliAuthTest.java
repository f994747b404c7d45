package io.metrodb.tools.cli;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.protocol.ProtocolLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * metrodb-cli against a logd and a mapd that require an auth token: from --auth-token-file, from
 * $METRODB_AUTH_TOKEN, and refused without it or with a wrong one, for the SDK's calls and the admin link's alike.
 */
class CliAuthTest
{
    private static final String TOKEN = "s3cret-token";

    @TempDir
    static Path root;

    private static LogdServer logd;
    private static MapdServer mapd;

    @BeforeAll
    static void start() throws Exception
    {
        final int maxEntry = 1 << 20;
        final LogConfig log = new LogConfig().directory(root.resolve("logd")).segmentLength(4 << 20)
            .maxEntryLength(maxEntry).validate();
        logd = LogdServer.start(
            new LogdConfig(CliCluster.HOST, 0, 100, TOKEN, 1, ProtocolLimits.frameLengthFor(maxEntry), log));
        mapd = MapdServer.start(new MapdConfig(CliCluster.HOST, CliCluster.freePort(), root.resolve("mapd"), 1,
            List.of(new InetSocketAddress(CliCluster.HOST, logd.port())), 1, 1 << 16, TOKEN, 10_000, 0, 0, List.of(),
            10_000, 100, 1 << 16));
        mapd.whenLogdsHealthy(1).get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop()
    {
        if (mapd != null)
        {
            mapd.close();
        }
        if (logd != null)
        {
            logd.close();
        }
    }

    private static String[] run(final Map<String, String> env, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final List<String> all = new ArrayList<>(List.of("-p", Integer.toString(mapd.port()), "--timeout-ms", "3000"));
        all.addAll(Arrays.asList(args));
        final CliCommand cli = new CliCommand(new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
            env::get, false, false);
        final int code = CliCommand.execute(cli, all.toArray(new String[0]));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void shouldUseTheTokenFromTheFileOrTheEnvironment() throws Exception
    {
        final Path file = Files.writeString(root.resolve("token"), TOKEN + "\n");
        assertEquals(List.of("0", "OK\n", ""),
            List.of(run(Map.of(), "--auth-token-file", file.toString(), "SET", "k", "v")));
        assertEquals(List.of("0", "\"v\"\n", ""), List.of(run(Map.of(CliCommand.TOKEN_ENV, TOKEN), "GET", "k")));
        assertEquals(List.of("0", "PONG\n", ""), List.of(run(Map.of(CliCommand.TOKEN_ENV, TOKEN), "PING")));
    }

    @Test
    void shouldReportARefusedTokenAsAnErrorReply()
    {
        for (final String command : List.of("GET", "PING"))
        {
            final List<String> args = command.equals("GET") ? List.of("GET", "k") : List.of("PING");
            final String[] none = run(Map.of(), args.toArray(new String[0]));
            assertEquals("1", none[0], command + ": " + Arrays.toString(none));
            assertTrue(none[1].startsWith("(error) AUTH_"), command + ": " + Arrays.toString(none));
            final String[] wrong = run(Map.of(CliCommand.TOKEN_ENV, "wrong"), args.toArray(new String[0]));
            assertEquals("1", wrong[0], command + ": " + Arrays.toString(wrong));
            assertTrue(wrong[1].startsWith("(error) AUTH_"), command + ": " + Arrays.toString(wrong));
        }
    }

    @Test
    void shouldRefuseAnEmptyOrMissingTokenFileAsAUsageError() throws Exception
    {
        final Path empty = Files.writeString(root.resolve("empty-token"), "  \n");
        final String[] result = run(Map.of(), "--auth-token-file", empty.toString(), "PING");
        assertEquals("2", result[0], Arrays.toString(result));
        assertTrue(result[2].contains("is empty"), Arrays.toString(result));
        final String[] missing = run(Map.of(), "--auth-token-file", root.resolve("nope").toString(), "PING");
        assertEquals("2", missing[0], Arrays.toString(missing));
        assertTrue(missing[2].contains("nope"), Arrays.toString(missing));
    }
}
