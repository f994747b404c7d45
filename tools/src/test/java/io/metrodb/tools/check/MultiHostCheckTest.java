package io.metrodb.tools.check;

import io.metrodb.client.MetroClient;
import io.metrodb.protocol.testing.Await;
import io.metrodb.server.ListenException;
import io.metrodb.tools.testing.ToolsCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MultiHostCheck} against a 3-mapd cluster in this JVM: it passes on a healthy cluster and really wrote what it
 * read back, and fails when an acknowledged write is overwritten behind its back, when the fault does not cut what
 * it should, and when the fault command fails. (The fault of a real link going down is deploy/test/multihost-test.sh.)
 */
class MultiHostCheckTest
{
    private static final long SEED = Long.getLong("multihost.seed", System.nanoTime());
    private static final Pattern RESULT =
        Pattern.compile("(?m)^(PASS|FAIL) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +[0-9.]+ +[0-9.]+$");
    private static final AtomicInteger RUNS = new AtomicInteger();

    @TempDir
    static Path root;

    private static Cluster cluster;

    /** The tools' test cluster with a small value limit. */
    private static final class Cluster extends ToolsCluster
    {
        Cluster(final Path root) throws Exception
        {
            super(root, 1 << 20);
        }
    }

    /** One run's exit status and output. */
    private record Run(int status, String output, String prefix)
    {
        Matcher result()
        {
            final Matcher matcher = RESULT.matcher(output);
            assertTrue(matcher.find(), "no result line (seed " + SEED + "):\n" + output);
            return matcher;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception
    {
        // ToolsCluster picks the mapds' ports free, closes them and binds them again: on a busy machine another
        // process can take one in between (it then closes what it started and throws). Such a start is retried.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                cluster = new Cluster(root.resolve("cluster" + attempt));
                return;
            }
            catch (final ListenException e)
            {
                if (attempt == 3)
                {
                    throw e;
                }
            }
        }
    }

    @AfterAll
    static void stopCluster()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private static List<String> mapds()
    {
        final List<String> mapds = new ArrayList<>();
        for (final InetSocketAddress address : cluster.mapdAddresses())
        {
            mapds.add(address.getHostString() + ":" + address.getPort());
        }
        return mapds;
    }

    private static String newPrefix()
    {
        return "mhtest/" + RUNS.incrementAndGet() + "/";
    }

    private static Run run(final String prefix, final MultiHostCheck.Step fault, final String... options)
        throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("--mapds", String.join(",", mapds()), "--seed",
            Long.toString(SEED), "--key-prefix", prefix, "--before-ms", "400", "--fault-ms", "400", "--after-ms",
            "200", "--writers", "2", "--hot-keys", "4", "--timeout-ms", "10000"));
        args.addAll(List.of(options));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final MultiHostCheck check = new MultiHostCheck();
        new CommandLine(check).parseArgs(args.toArray(new String[0]));
        final int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            status = check.output(out).run(fault, null);
        }
        return new Run(status, bytes.toString(StandardCharsets.UTF_8), prefix);
    }

    @Test
    void shouldPassOnAHealthyClusterHavingWrittenWhatItReadsBack() throws Exception
    {
        final Run run = run(newPrefix(), null);
        assertEquals(0, run.status(), "seed " + SEED + ":\n" + run.output());
        final Matcher result = run.result();
        assertEquals("PASS", result.group(1), run.output());
        assertTrue(Long.parseLong(result.group(2)) > 0, "nothing acknowledged (seed " + SEED + "):\n" + run.output());
        assertEquals("0", result.group(4), "lost");
        assertEquals("0", result.group(5), "divergent");
        // The first write of writer 0 is a SETSAFE of a fresh key (its value names the phase it began in): every
        // mapd returns it.
        for (final String mapd : mapds())
        {
            try (MetroClient client = MetroClient.builder(mapd).build())
            {
                final String value = client.get(run.prefix() + "k/0/1");
                assertTrue(value != null && value.startsWith(run.prefix() + "k/0/1=SETSAFE@"),
                    mapd + " returned " + value + ", seed " + SEED);
            }
        }
    }

    @Test
    void shouldFailWhenAnAcknowledgedSetSafeIsOverwrittenBehindItsBack() throws Exception
    {
        final String prefix = newPrefix();
        final Run run = run(prefix, () ->
        {
            final String key = prefix + "k/0/1";
            try (MetroClient client = MetroClient.builder(mapds().get(0)).build())
            {
                Await.until("writer 0's first write", 10_000, () -> client.get(key) != null);
                client.setSafe(key, "altered by the test");
            }
        }, "--converge-ms", "500");
        assertEquals(1, run.status(), "seed " + SEED + ":\n" + run.output());
        final Matcher result = run.result();
        assertEquals("FAIL", result.group(1), run.output());
        assertEquals("1", result.group(4), "lost (seed " + SEED + "):\n" + run.output());
        assertTrue(run.output().contains(prefix + "k/0/1: lost acknowledged SETSAFE '" + prefix +
            "k/0/1=SETSAFE@"), run.output());
        assertTrue(run.output().contains("'altered by the test'"), run.output());
    }

    @Test
    void shouldFailWhenTheFaultCutsTheClientOffFewerMapdsThanExpected() throws Exception
    {
        final Run run = run(newPrefix(), () ->
        {
        }, "--expect-cut", "1");
        assertEquals(1, run.status(), "seed " + SEED + ":\n" + run.output());
        assertTrue(run.output().contains("FAILED: the fault was to cut the client off 1 mapd(s); at its end it was " +
            "cut off 0"), run.output());
        assertEquals("0", run.result().group(4), "lost");
    }

    @Test
    void shouldStopWithStatus2WhenTheFaultCommandFails() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final MultiHostCheck check = new MultiHostCheck();
        final CommandLine commandLine = new CommandLine(check);
        commandLine.parseArgs("--mapds", String.join(",", mapds()), "--before-ms", "200", "--fault", "exit 3");
        final int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            status = check.output(out).call();
        }
        final String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, output);
        assertTrue(output.contains("FAILED: fault failed: --fault command exited with status 3"), output);
    }
}
