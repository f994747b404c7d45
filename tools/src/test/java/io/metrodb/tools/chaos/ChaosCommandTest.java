package io.metrodb.tools.chaos;

import io.metrodb.tools.ToolsMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrodb chaos} as a command: its help, and bad values refused before anything starts (the run itself is
 * {@link ChaosIT}).
 */
class ChaosCommandTest
{
    private static String run(final int expectedStatus, final String... args)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CommandLine commandLine = ToolsMain.commandLine();
        final PrintWriter writer = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
        commandLine.setOut(writer);
        commandLine.setErr(writer);
        assertEquals(expectedStatus, commandLine.execute(args), bytes.toString(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldListTheChaosCommandWithItsOptions()
    {
        final String help = run(0, "chaos", "--help");
        for (final String option : new String[] {"--seconds", "--seed", "--writers", "--max-rate", "--dir",
            "--server-jar", "--settle-seconds", "--min-down-ms"})
        {
            assertTrue(help.contains(option), option + " missing from:\n" + help);
        }
        assertTrue(run(0, "--help").contains("chaos"), "chaos missing from metrodb --help");
    }

    @Test
    void shouldRefuseAMaxBelowItsMinBeforeStartingAnything()
    {
        final String output = run(2, "chaos", "--min-interval-ms", "500", "--max-interval-ms", "100");
        assertTrue(output.contains("metrodb chaos: ") && output.contains("each max at least its min"), output);
    }
}
