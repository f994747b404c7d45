package io.metrodb.mond;

import io.metrodb.server.DaemonJvmOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon ({@code io.metrodb.cli.Main <command> ...}) in a JVM of its own, for tests that kill real
 * processes. Its output goes to a log file in the test's directory; start-up waits (with a deadline) for its
 * "listening on host:port" line.
 */
final class ChildProcess implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");
    private static final long START_TIMEOUT_MS = 60_000;

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private ChildProcess(final String name, final Process process, final Path log, final int port)
    {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * @param name    for messages and the log file name.
     * @param logDir  where {@code name.log} goes (appended across restarts).
     * @param args    the command and its options, e.g. {@code logd --dir ...}.
     */
    static ChildProcess start(final String name, final Path logDir, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DaemonJvmOptions.forRunningJvm());
        command.addAll(List.of(
            "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"),
            "io.metrodb.cli.Main"));
        command.addAll(List.of(args));
        Files.createDirectories(logDir);
        final Path log = logDir.resolve(name + ".log");
        final long startOffset = Files.exists(log) ? Files.size(log) : 0;
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() - deadline < 0)
        {
            final String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8)
                .substring((int)startOffset);
            final Matcher matcher = LISTENING.matcher(output);
            if (matcher.find())
            {
                return new ChildProcess(name, process, log, Integer.parseInt(matcher.group(1)));
            }
            if (!process.isAlive())
            {
                throw new IOException(name + " exited with " + process.exitValue() + " before listening:\n" + output);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        process.destroyForcibly();
        throw new IOException(name + " did not start within " + START_TIMEOUT_MS + " ms; see " + log);
    }

    int port()
    {
        return port;
    }

    long pid()
    {
        return process.pid();
    }

    Path log()
    {
        return log;
    }

    /**
     * SIGKILL, and wait for the process to be gone.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException(name + " survived SIGKILL");
        }
    }

    /**
     * SIGTERM (a clean stop), and wait for the exit status.
     */
    int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
    }

    @Override
    public String toString()
    {
        return name + " (pid " + process.pid() + ", port " + port + ")";
    }
}
