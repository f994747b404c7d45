package io.metrodb.logd;

import io.metrodb.cli.Main;
import io.metrodb.log.LogConfig;
import io.metrodb.protocol.netty.ServerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrodb logd}: every option in --help with its default; the storage options reach the store's config.
 */
class LogdCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldListEveryOptionWithItsDefaultInHelp()
    {
        final CommandLine commandLine = Main.commandLine();
        final StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(out));
        assertEquals(0, commandLine.execute("logd", "--help"), out.toString());
        final String help = out.toString();
        for (final CommandLine.Model.OptionSpec option : new CommandLine(new LogdCommand()).getCommandSpec().options())
        {
            assertTrue(help.contains(option.longestName()), option.longestName() + " in --help:\n" + help);
        }
        assertTrue(help.contains("--write-behind-size") && help.contains("Default: 1m"), help);
    }

    @Test
    void shouldPassWriteBehindAndPrefillSizesToTheStore() throws Exception
    {
        final LogConfig defaults = parse("--dir", dir.toString()).toConfig().log();
        assertEquals(LogConfig.DEFAULT_WRITE_BEHIND_LENGTH, defaults.writeBehindLength());
        assertEquals(LogConfig.DEFAULT_PREFILL_WRITE_LENGTH, defaults.prefillWriteLength());

        final LogConfig set = parse("--dir", dir.toString(), "--write-behind-size", "4m", "--prefill-write-size", "0")
            .toConfig().log();
        assertEquals(4 << 20, set.writeBehindLength());
        assertEquals(0, set.prefillWriteLength());

        assertEquals(0, parse("--dir", dir.toString(), "--write-behind-size", "0").toConfig().log().writeBehindLength());
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> parse("--dir", dir.toString(), "--write-behind-size", "3m").toConfig());
        assertTrue(bad.getMessage().contains("writeBehindLength must be 0 or a power of two"), bad.getMessage());
    }

    @Test
    void shouldPassTheLimitsOnClientsToTheServer() throws Exception
    {
        assertEquals(ServerLimits.DEFAULTS.toString(), parse("--dir", dir.toString()).toConfig().limits().toString());
        final ServerLimits set = parse("--dir", dir.toString(), "--handshake-timeout-ms", "100",
            "--frame-timeout-ms", "0", "--incomplete-frame-budget", "1m", "--max-connections", "7").toConfig().limits();
        assertEquals(100, set.handshakeTimeoutMs());
        assertEquals(0, set.frameTimeoutMs());
        assertEquals(1 << 20, set.incompleteFrameBudget());
        assertEquals(7, set.maxConnections());
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> parse("--dir", dir.toString(), "--max-connections", "0").toConfig());
        assertTrue(bad.getMessage().contains("--max-connections"), bad.getMessage());
    }

    private static LogdCommand parse(final String... args)
    {
        final LogdCommand command = new LogdCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
