package io.metrodb.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A main class in a JVM of its own, for tests that kill real processes or need a clean JVM: the java command line is
 * built from this JVM's java, class path and module flags; output (stdout and stderr) is appended to a file; a test
 * waits for a line with a deadline; {@link #close()} kills the whole process tree.
 */
public final class ChildJvm implements AutoCloseable
{
    /** Generous: a JVM start on a loaded 2-core box. */
    public static final long START_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 30_000;
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String name;
    private final Process process;
    private final Path log;
    private final long startOffset;

    private ChildJvm(final String name, final Process process, final Path log, final long startOffset)
    {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startOffset = startOffset;
    }

    /**
     * @return the module flags this JVM was started with ({@code --add-exports}, {@code --add-opens},
     * {@code --add-modules}, {@code --enable-native-access}), for a child that needs what the tests need.
     */
    public static List<String> moduleFlagsOfThisJvm()
    {
        final List<String> flags = new ArrayList<>();
        final List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < input.size(); i++)
        {
            final String argument = input.get(i);
            if (argument.startsWith("--add-exports") || argument.startsWith("--add-opens") ||
                argument.startsWith("--add-modules") || argument.startsWith("--enable-native-access"))
            {
                flags.add(argument);
                if (!argument.contains("=") && i + 1 < input.size())
                {
                    flags.add(input.get(++i));
                }
            }
        }
        return Collections.unmodifiableList(flags);
    }

    /**
     * @return this JVM's class path.
     */
    public static String classPathOfThisJvm()
    {
        return System.getProperty("java.class.path");
    }

    /**
     * Starts {@code mainClass} on this JVM's class path.
     *
     * @param name       for messages and the log file, {@code logDir/name.log} (appended to across restarts).
     * @param jvmOptions options before the main class (heap, module flags, ...).
     */
    public static ChildJvm start(
        final String name, final Path logDir, final List<String> jvmOptions, final String mainClass,
        final String... args) throws IOException
    {
        return start(name, logDir, classPathOfThisJvm(), jvmOptions, mainClass, args);
    }

    /**
     * Starts {@code mainClass} on the given class path.
     */
    public static ChildJvm start(
        final String name, final Path logDir, final String classPath, final List<String> jvmOptions,
        final String mainClass, final String... args) throws IOException
    {
        return start(name, logDir, classPath, jvmOptions, Map.of(), mainClass, args);
    }

    /**
     * Starts {@code mainClass} on the given class path with this JVM's environment plus {@code environment}.
     */
    public static ChildJvm start(
        final String name, final Path logDir, final String classPath, final List<String> jvmOptions,
        final Map<String, String> environment, final String mainClass, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(List.of(args));
        Files.createDirectories(logDir);
        final Path log = logDir.resolve(name + ".log");
        final long startOffset = Files.exists(log) ? Files.size(log) : 0;
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        final Process process = builder.start();
        return new ChildJvm(name, process, log, startOffset);
    }

    /**
     * Waits until this start's output has a match for {@code pattern}.
     *
     * @return the first match.
     * @throws IOException when the JVM exits first or the deadline passes (it is killed then).
     */
    public Matcher awaitOutput(final Pattern pattern, final long timeoutMs) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final boolean alive = process.isAlive();
            final String output = output();
            final Matcher matcher = pattern.matcher(output);
            if (matcher.find())
            {
                return matcher;
            }
            if (!alive)
            {
                throw new IOException(name + " exited with " + process.exitValue() + " before printing /" +
                    pattern + "/:\n" + output);
            }
            if (System.nanoTime() - deadline > 0)
            {
                kill();
                throw new IOException(name + " did not print /" + pattern + "/ within " + timeoutMs + " ms:\n" +
                    output);
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    /**
     * @return what this start printed so far (stdout and stderr).
     */
    public String output() throws IOException
    {
        final byte[] bytes = Files.readAllBytes(log);
        return new String(bytes, (int)Math.min(startOffset, bytes.length),
            (int)Math.max(0, bytes.length - startOffset), StandardCharsets.UTF_8);
    }

    /**
     * Waits for the JVM to exit by itself.
     *
     * @return its exit status.
     * @throws IOException when it is still running after the deadline (it is killed then).
     */
    public int awaitExit(final long timeoutMs) throws IOException, InterruptedException
    {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            kill();
            throw new IOException(name + " did not exit within " + timeoutMs + " ms:\n" + output());
        }
        return process.exitValue();
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    public Path log()
    {
        return log;
    }

    /**
     * SIGKILL to the JVM and everything it started, and wait for the JVM to be gone.
     */
    public void kill() throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException(this + " survived SIGKILL");
        }
    }

    /**
     * SIGTERM (a clean stop), and wait for the exit status; SIGKILL when it does not stop in time.
     */
    public int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            kill();
            throw new IllegalStateException(this + " did not stop within " + STOP_TIMEOUT_MS + " ms of SIGTERM");
        }
        return process.exitValue();
    }

    /**
     * Kills the process tree if the JVM still runs.
     */
    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive() || process.descendants().findAny().isPresent())
        {
            kill();
        }
    }

    @Override
    public String toString()
    {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
