package io.metrodb.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrodb host}'s arguments: each group is parsed by its daemon's own command, so a mistake is a usage error
 * (exit 2) naming it, before anything starts.
 */
class HostCommandTest
{
    @Test
    void shouldRejectAGroupThatIsNotADaemon()
    {
        final Run run = run("host", "logd", "--dir", "/tmp/x", "+", "gateway", "--port", "1");
        assertEquals(2, run.exit, run.err);
        assertTrue(run.err.contains("'gateway' is not a daemon"), run.err);
    }

    @Test
    void shouldRejectAnEmptyGroup()
    {
        final Run run = run("host", "logd", "--dir", "/tmp/x", "+");
        assertEquals(2, run.exit, run.err);
        assertTrue(run.err.contains("an empty daemon"), run.err);
    }

    @Test
    void shouldReportADaemonsOwnOptionErrors()
    {
        final Run run = run("host", "logd", "--dir", "/tmp/x", "+", "mapd", "--dir", "/tmp/y");
        assertEquals(2, run.exit, run.err);
        assertTrue(run.err.contains("--logds"), "the mapd's missing required option is named: " + run.err);
    }

    @Test
    void shouldPrintADaemonsHelpThroughHost()
    {
        final Run run = run("host", "mapd", "--help");
        assertEquals(0, run.exit, run.err);
        assertTrue(run.out.contains("--logds"), run.out);
    }

    private static Run run(final String... args)
    {
        final CommandLine commandLine = Main.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        final int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exit, String out, String err)
    {
    }
}
