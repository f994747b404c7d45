package io.metrodb.testing;

import io.metrodb.server.DaemonJvmOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A daemon ({@code io.metrodb.cli.Main <command> ...}) in a JVM of its own, for tests that kill real
 * processes: a {@link ChildJvm} with the daemon's JVM options, started once it printed its
 * "listening on host:port" line. Its output goes to {@code name.log} in the given directory.
 */
public final class DaemonProcess implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");

    private final ChildJvm jvm;
    private final int port;

    private DaemonProcess(final ChildJvm jvm, final int port)
    {
        this.jvm = jvm;
        this.port = port;
    }

    /**
     * @param name    for messages and the log file name.
     * @param logDir  where {@code name.log} goes (appended across restarts).
     * @param args    the command and its options, e.g. {@code logd --dir ...}.
     */
    public static DaemonProcess start(final String name, final Path logDir, final String... args)
        throws IOException, InterruptedException
    {
        return start(name, logDir, List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), args);
    }

    /**
     * @param jvmOptions heap and GC options, after the daemon's own ({@link DaemonJvmOptions}).
     */
    public static DaemonProcess start(final String name, final Path logDir, final List<String> jvmOptions,
        final String... args) throws IOException, InterruptedException
    {
        final List<String> options = new ArrayList<>(DaemonJvmOptions.forRunningJvm());
        options.addAll(jvmOptions);
        final ChildJvm jvm = ChildJvm.start(name, logDir, options, "io.metrodb.cli.Main", args);
        try
        {
            final int port = Integer.parseInt(jvm.awaitOutput(LISTENING, ChildJvm.START_TIMEOUT_MS).group(1));
            return new DaemonProcess(jvm, port);
        }
        catch (final IOException | RuntimeException e)
        {
            jvm.close();
            throw e;
        }
    }

    public int port()
    {
        return port;
    }

    public long pid()
    {
        return jvm.pid();
    }

    public Path log()
    {
        return jvm.log();
    }

    /**
     * SIGKILL, and wait for the process to be gone.
     */
    public void kill() throws InterruptedException
    {
        jvm.kill();
    }

    /**
     * SIGTERM (a clean stop), and wait for the exit status.
     */
    public int stop() throws InterruptedException
    {
        return jvm.stop();
    }

    @Override
    public void close() throws InterruptedException
    {
        jvm.close();
    }

    @Override
    public String toString()
    {
        return jvm + " port " + port;
    }
}
