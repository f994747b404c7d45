package io.metrodb.mond;

import io.metrodb.cli.Main;
import io.metrodb.testing.Await;
import io.metrodb.testing.DaemonProcess;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrodb mond}: every option in --help with its default, bad values refused with exit 2, a clean stop
 * on SIGTERM.
 */
class MondCommandIT
{
    @TempDir
    Path root;

    private static String run(final int expectedExit, final String... args)
    {
        final CommandLine commandLine = Main.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(expectedExit, commandLine.execute(args), out + "\n" + err);
        return out + err.toString();
    }

    @Test
    void shouldListEveryOptionWithItsDefaultInHelp()
    {
        final String help = run(0, "mond", "--help");
        final CommandLine.Model.CommandSpec spec = new CommandLine(new MondCommand()).getCommandSpec();
        for (final CommandLine.Model.OptionSpec option : spec.options())
        {
            assertTrue(help.contains(option.longestName()), option.longestName() + " in --help:\n" + help);
            final boolean needsDefault = !option.required() && !option.usageHelp() && !option.versionHelp() &&
                !option.longestName().equals("--auth-token-file");
            if (needsDefault)
            {
                assertTrue(String.join(" ", option.description()).contains("Default:"),
                    option.longestName() + " states its default");
            }
        }
        assertTrue(help.contains("Default: 250"), "heartbeat default shown");
        assertTrue(help.contains("Default: 30000"), "grace default shown");
        assertTrue(help.contains("Default: 7570"), "port default shown");
        assertTrue(run(0, "--help").contains("mond"), "listed among the commands");
    }

    @Test
    void shouldRefuseBadValuesWithExitStatus2()
    {
        final String nodes = "--mapds=127.0.0.1:1";
        assertTrue(run(2, "mond", nodes, "--logds=127.0.0.1:2", "--heartbeat-ms", "0").contains("--heartbeat-ms"));
        assertTrue(run(2, "mond", nodes, "--logds=127.0.0.1:2", "--down-after", "0").contains("--down-after"));
        assertTrue(run(2, "mond", nodes, "--logds=127.0.0.1:2", "--repairs-per-sec", "0").contains("--repairs"));
        assertTrue(run(2, "mond", nodes, "--logds=127.0.0.1:2", "--repair-grace-ms", "-1").contains("grace"));
        assertTrue(run(2, "mond", nodes, "--logds=127.0.0.1:1").contains("twice"));
        assertTrue(run(2, "mond", nodes, "--logds=nonsense").contains("--logds"));
        assertTrue(run(2, "mond", nodes).contains("--logds"), "--logds is required");
    }

    @Test
    void shouldStopCleanlyOnSigterm() throws Exception
    {
        // Nothing listens on the nodes' ports: mond keeps trying, marks them DOWN, and still stops at once.
        final int unusedA = freePort();
        final int unusedB = freePort();
        try (DaemonProcess mond = DaemonProcess.start("mond", root, "mond", "--port", "0",
            "--mapds", "127.0.0.1:" + unusedA, "--logds", "127.0.0.1:" + unusedB))
        {
            Await.until("both nodes DOWN", 10_000,
                () -> MondTestClient.infoLong(MondTestClient.info(mond.port()), "nodes_down") == 2);
            assertEquals(143, mond.stop(), "exit status after a clean stop on SIGTERM");
            final String log = Files.readString(mond.log(), StandardCharsets.UTF_8);
            assertTrue(log.contains("mond stopped"), log);
        }
    }

    private static int freePort() throws java.io.IOException
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
            java.net.InetAddress.getByName(TestCluster.HOST)))
        {
            return socket.getLocalPort();
        }
    }
}
