package io.metrodb.server;

import io.metrodb.cli.Main;
import io.metrodb.log.LogConfig;
import io.metrodb.log.LogStore;
import io.metrodb.mapd.store.GridJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code metrodb logd|mapd|mond} on a port another process holds: one line naming the daemon, the address and the
 * reason on stderr, no stack trace, exit status 1, and what the daemon opened before binding is closed again.
 */
class PortInUseTest
{
    private static final String HOST = "127.0.0.1";

    @TempDir
    Path root;

    /** What a command printed and returned. */
    private record Run(int exit, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final CommandLine commandLine = Main.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static ServerSocket holdPort() throws IOException
    {
        return new ServerSocket(0, 1, InetAddress.getByName(HOST));
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = holdPort())
        {
            return socket.getLocalPort();
        }
    }

    private static void assertOneClearLine(final String daemon, final int port, final Run run)
    {
        final String expected = daemon + ": cannot listen on " + HOST + ":" + port + ": address already in use";
        assertEquals(expected, run.err().strip(), "stderr is exactly one line\n" + run.err());
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), "no stack trace:\n" + run.err());
        assertEquals("", run.out(), "nothing on stdout (it never listened)");
        assertEquals(1, run.exit(), "exit status\n" + run.err());
    }

    @Test
    void shouldSayLogdCannotListenOnATakenPortAndReleaseItsDirectory() throws Exception
    {
        final Path dir = root.resolve("logd");
        try (ServerSocket taken = holdPort())
        {
            final Run run = run("logd", "--dir", dir.toString(), "--host", HOST, "--port",
                String.valueOf(taken.getLocalPort()), "--segment-size", "1m");
            assertOneClearLine("logd", taken.getLocalPort(), run);
        }
        // The store the failed start opened was closed: its directory lock is free again.
        try (LogStore store = LogStore.open(new LogConfig().directory(dir).segmentLength(1 << 20)
            .maxEntryLength((1 << 20) - 64).validate()))
        {
            assertEquals(0, store.tailPosition());
        }
    }

    @Test
    void shouldSayMapdCannotListenOnATakenPortAndReleaseItsJournal() throws Exception
    {
        final Path dir = root.resolve("mapd");
        try (ServerSocket taken = holdPort())
        {
            final Run run = run("mapd", "--dir", dir.toString(), "--host", HOST, "--port",
                String.valueOf(taken.getLocalPort()), "--rf", "1", "--logds", HOST + ":" + freePort(),
                "--request-timeout-ms", "100");
            assertOneClearLine("mapd", taken.getLocalPort(), run);
        }
        GridJournal.open(dir).close();
    }

    @Test
    void shouldSayMondCannotListenOnATakenPort() throws Exception
    {
        try (ServerSocket taken = holdPort())
        {
            final Run run = run("mond", "--host", HOST, "--port", String.valueOf(taken.getLocalPort()),
                "--mapds", HOST + ":" + freePort(), "--logds", HOST + ":" + freePort());
            assertOneClearLine("mond", taken.getLocalPort(), run);
        }
    }
}
