package io.metrodb.protocol;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wire protocol checked by a second implementation, {@code protocol/src/test/python/metrodb_wire.py}, written
 * from PROTOCOL.md alone: every hex example of the document decoded, checked against its text and re-encoded, and
 * a real logd and mapd spoken to over TCP. GoldenVectorTest keeps the examples equal to what the Java encoders
 * write; this test catches the case where both are wrong in the same way.
 */
class IndependentDecoderTest
{
    private static final String HOST = "127.0.0.1";
    private static final String TOKEN = "py-s3cret";
    private static final int MAX_VALUE = 64 * 1024;
    private static final long PYTHON_TIMEOUT_S = 180;
    private static final Pattern EXAMPLE_COUNT = Pattern.compile("(\\d+) examples decoded and re-encoded");

    @TempDir
    Path dir;

    private LogdServer logd;
    private MapdServer mapd;

    @AfterEach
    void stop()
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

    @Test
    void shouldDecodeAndReencodeEveryExampleOfTheDocument() throws Exception
    {
        final String output = runPython(0, "examples", moduleFile("../protocol/PROTOCOL.md").toString());
        final Matcher count = EXAMPLE_COUNT.matcher(output);
        assertTrue(count.find(), "no example count printed:\n" + output);
        assertTrue(Integer.parseInt(count.group(1)) > 0, "no examples checked:\n" + output);
    }

    @Test
    void shouldSpeakToARealLogdAndMapdWithAToken() throws Exception
    {
        runLiveCheck(TOKEN);
    }

    @Test
    void shouldSpeakToARealLogdAndMapdWithoutAToken() throws Exception
    {
        runLiveCheck(null);
    }

    private void runLiveCheck(final String token) throws Exception
    {
        final long seed = Long.getLong("pyproto.seed", System.nanoTime() & 0xFFFF_FFFFL);
        final int maxEntry = MAX_VALUE + ProtocolLimits.MAX_KEY_LENGTH + 64;
        final LogConfig log = new LogConfig()
            .directory(dir.resolve("logd"))
            .segmentLength(1 << 20)
            .maxEntryLength(maxEntry)
            .validate();
        logd = LogdServer.start(new LogdConfig(HOST, 0, 7, token, 1, ProtocolLimits.frameLengthFor(maxEntry), log));
        mapd = MapdServer.start(new MapdConfig(HOST, 0, dir.resolve("mapd"), 3,
            List.of(new InetSocketAddress(HOST, logd.port())), 1, MAX_VALUE, token, 5_000, 0, 0));
        mapd.whenLogdsHealthy(1).get(30, TimeUnit.SECONDS);

        final List<String> args = new ArrayList<>(List.of("live", HOST + ":" + logd.port(), HOST + ":" + mapd.port(),
            "--seed", Long.toString(seed)));
        if (token != null)
        {
            args.add("--token");
            args.add(token);
        }
        final String output = runPython(seed, args.toArray(new String[0]));
        assertTrue(output.contains("live check passed"), "seed " + seed + ":\n" + output);
    }

    /**
     * Runs the checker, bounded by a timeout, and asserts it exits 0.
     *
     * @return its output (stdout and stderr).
     */
    private String runPython(final long seed, final String... args) throws Exception
    {
        final Path script = moduleFile("../protocol/src/test/python/check_protocol.py");
        final List<String> command = new ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        final Path outputFile = Files.createTempFile(dir, "python", ".out");
        final Process process;
        try
        {
            process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(outputFile.toFile())
                .start();
        }
        catch (final IOException e)
        {
            return fail("cannot run python3 (it must be on PATH: this test needs it, with no pip package): " +
                e.getMessage(), e);
        }
        final boolean exited = process.waitFor(PYTHON_TIMEOUT_S, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        final String output = Files.readString(outputFile, StandardCharsets.UTF_8);
        final String context = String.join(" ", command) + " (seed " + seed + ")\n" + output;
        assertTrue(exited, "python3 did not finish within " + PYTHON_TIMEOUT_S + " s: " + context);
        assertEquals(0, process.exitValue(), context);
        return output;
    }

    /**
     * A file relative to this module's directory (Maven runs tests with basedir = server/).
     */
    private static Path moduleFile(final String relative)
    {
        final String basedir = System.getProperty("basedir");
        final Path module = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        final Path file = module.resolve(relative).normalize();
        assertTrue(Files.isRegularFile(file), "missing " + file + " (resolved from module directory " + module + ")");
        return file;
    }
}
