package io.metrodb.tools.soak;

import io.metrodb.protocol.testing.Await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A daemon in a process of its own: its port (from its "listening" line), its fds and RSS from /proc.
 */
final class SoakDaemon
{
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+) ");
    private static final long START_TIMEOUT_MS = 60_000;

    final String name;
    final Process process;
    final Path log;
    int port;

    SoakDaemon(final String name, final Process process, final Path log)
    {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    void awaitListening() throws Exception
    {
        Await.until(name + " listening", START_TIMEOUT_MS, () ->
        {
            final Matcher matcher = LISTENING.matcher(output());
            if (matcher.find())
            {
                port = Integer.parseInt(matcher.group(1));
                return true;
            }
            if (!process.isAlive())
            {
                fail(name + " exited with " + process.exitValue() + ":\n" + output());
            }
            return false;
        }, () -> output());
    }

    String output() throws IOException
    {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    long fds() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd")))
        {
            return fds.count();
        }
    }

    long rssKiB() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    void assertAlive(final String context) throws IOException
    {
        assertTrue(process.isAlive(), name + " died, " + context + ":\n" + output());
    }

    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
