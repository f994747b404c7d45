package io.metrodb.tools.chaos;

import io.metrodb.protocol.testing.OncePerSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrodb chaos} in CI: 3 logds, 3 mapds and mond as processes of their own (started from the test's
 * classpath; as root, each in a network namespace of its own), {@code kill -9}s and link cuts for
 * {@code -Dmetrodb.chaos.seconds} (default 60) under load, then the audit of every mapd. Once per suite: bin/verify's
 * later JDK passes ({@code -Dmetrodb.test.secondPass=true}) skip it. Passes when no acknowledged SETSAFE is lost and
 * no key is divergent, having really written and injected faults. Seed: {@code -Dmetrodb.chaos.seed}.
 */
class ChaosIT
{
    private static final long SECONDS = Long.getLong("metrodb.chaos.seconds", 60);
    private static final long SEED = Long.getLong("metrodb.chaos.seed", System.nanoTime());
    private static final Pattern RESULT = Pattern.compile("(?m)^(PASS|FAIL) +([0-9.]+) +(\\d+) +(\\d+) +(\\d+) +" +
        "(\\d+) +(\\d+) +(\\d+) +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\S+)$");
    private static final Pattern FAULTS = Pattern.compile(
        "faults injected: (\\d+) \\(kill -9: logd (\\d+), mapd (\\d+), mond (\\d+); link cuts (\\d+):");

    /** Kept when the test fails: the daemons' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void shouldLoseNoAcknowledgedSetSafeAndLeaveNoDivergenceUnderKillsAndLinkCuts() throws Exception
    {
        OncePerSuite.assume("chaos");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            final ChaosCommand command = new ChaosCommand().output(out);
            new CommandLine(command).parseArgs("--seconds", Long.toString(SECONDS), "--seed", Long.toString(SEED),
                "--dir", dir.resolve("cluster").toString(), "--classpath-launch", "--writers", "4",
                "--max-rate", "1000", "--keys-per-writer", "1000", "--settle-seconds", "90");
            status = command.call();
        }
        final String output = bytes.toString(StandardCharsets.UTF_8);
        // The run's report goes to the build log, as bin/verify's other checks do.
        System.out.print(output);
        final String context = "seed " + SEED + " (-Dmetrodb.chaos.seed=" + SEED + " repeats), " + SECONDS +
            " s:\n" + output;
        assertEquals(0, status, context);
        final String netnsUnavailable = NetnsNetwork.unavailable();
        assertTrue(netnsUnavailable == null ? output.contains("links cut in its router") :
            output.contains("links through proxies: network namespaces cannot be used: " + netnsUnavailable),
            "links cut in network namespaces where they can be used, else through proxies saying why, " + context);
        final Matcher result = RESULT.matcher(output);
        assertTrue(result.find(), "no result line, " + context);
        assertEquals("PASS", result.group(1), context);
        assertTrue(Long.parseLong(result.group(4)) > 0, "no SETSAFE acknowledged, " + context);
        assertTrue(Long.parseLong(result.group(5)) > 0, "no SET acknowledged, " + context);
        assertEquals("0", result.group(9), "acknowledged SETSAFEs lost, " + context);
        assertEquals("0", result.group(11), "divergent keys, " + context);
        assertEquals("0", result.group(12), "unknown values, " + context);
        final Matcher faults = FAULTS.matcher(output);
        assertTrue(faults.find(), "no faults line, " + context);
        // Faults come every 1-3 s, each kind once per round of four: a run of 40 s or more sees every kind.
        assertTrue(Long.parseLong(faults.group(1)) >= Math.min(4, SECONDS / 5), "too few faults, " + context);
        final long kills = Long.parseLong(faults.group(2)) + Long.parseLong(faults.group(3)) +
            Long.parseLong(faults.group(4));
        assertTrue(kills > 0, "no kill -9, " + context);
        if (SECONDS >= 40)
        {
            for (int kind = 2; kind <= 5; kind++)
            {
                assertTrue(Long.parseLong(faults.group(kind)) > 0, "a kind of fault never injected, " + context);
            }
        }
    }
}
