package io.metrodb.audit;

import io.metrodb.server.DaemonJvmOptions;
import io.metrodb.testing.ChildJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon ({@code io.metrodb.cli.Main <command> ...}) in its own JVM under {@code strace -f}, tracing what the
 * durability audit needs into a file. {@link #stop()} sends the JVM SIGTERM, so strace sees it exit and writes the
 * whole trace; {@link #close()} kills whatever is left.
 */
final class Strace implements AutoCloseable
{
    /** Files and mappings, forces, and the socket calls Netty's epoll transport makes. */
    static final String TRACED = "openat,open,creat,close,dup,dup2,dup3,fcntl,mmap,munmap,msync,fsync,fdatasync," +
        "sync_file_range,socket,accept,accept4,connect,read,readv,recvfrom,recvmsg,write,writev,sendto,sendmsg";
    /** Longer than any buffer Netty reads or writes in one call, so no frame is cut short in the trace. */
    static final int STRING_LIMIT = 4 * 1024 * 1024;
    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");
    private static final long START_TIMEOUT_MS = 90_000;
    private static final long STOP_TIMEOUT_MS = 30_000;

    private final Process process;
    private final Path trace;
    private final Path log;
    private final int port;
    private final long startMs;

    private Strace(final Process process, final Path trace, final Path log, final int port, final long startMs)
    {
        this.process = process;
        this.trace = trace;
        this.log = log;
        this.port = port;
        this.startMs = startMs;
    }

    /**
     * @return null when strace can trace a child here, else why not (no strace, ptrace refused, ...).
     */
    static String unavailableReason()
    {
        if (!System.getProperty("os.name", "").startsWith("Linux"))
        {
            return "not Linux";
        }
        try
        {
            final Process probe = new ProcessBuilder("strace", "-f", "-qq", "-o", "/dev/null", "true")
                .redirectErrorStream(true).start();
            final String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!probe.waitFor(30, TimeUnit.SECONDS))
            {
                probe.destroyForcibly();
                return "strace did not finish tracing true(1) in 30 s";
            }
            return probe.exitValue() == 0 ? null : "strace cannot trace here (ptrace not permitted?): " + output.trim();
        }
        catch (final IOException ex)
        {
            return "no strace (Debian: apt-get install strace): " + ex.getMessage();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * @return whether this strace filters with seccomp-bpf (much less overhead: only traced calls stop the tracee).
     */
    static boolean hasSeccompBpf()
    {
        try
        {
            final Process probe = new ProcessBuilder("strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=write",
                "-o", "/dev/null", "true").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts {@code io.metrodb.cli.Main args} under strace and waits for its "listening on" line.
     *
     * @param name       names the trace ({@code dir/name.trace}) and the output ({@code dir/name.log}).
     * @param jvmOptions after the daemon's own options (heap, {@code -Dmetrodb.fault...}).
     */
    static Strace start(final String name, final Path dir, final List<String> jvmOptions, final String... args)
        throws IOException, InterruptedException
    {
        final Path trace = dir.resolve(name + ".trace");
        final Path log = dir.resolve(name + ".log");
        final List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-tt", "-xx",
            "-s", Integer.toString(STRING_LIMIT), "-e", "trace=" + TRACED, "-o", trace.toString()));
        if (hasSeccompBpf())
        {
            command.add(1, "--seccomp-bpf");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DaemonJvmOptions.forRunningJvm());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(ChildJvm.classPathOfThisJvm());
        command.add("io.metrodb.cli.Main");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        final long startNs = System.nanoTime();
        final long deadline = startNs + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true)
        {
            final String output = Files.readString(log, StandardCharsets.UTF_8);
            final Matcher matcher = LISTENING.matcher(output);
            if (matcher.find())
            {
                return new Strace(process, trace, log, Integer.parseInt(matcher.group(1)),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            }
            if (!process.isAlive() || System.nanoTime() - deadline > 0)
            {
                kill(process);
                throw new IOException(name + " under strace did not print /" + LISTENING + "/ within " +
                    START_TIMEOUT_MS + " ms:\n" + output);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    int port()
    {
        return port;
    }

    /**
     * @return how long the JVM took under strace to print its "listening on" line.
     */
    long startMs()
    {
        return startMs;
    }

    Path trace()
    {
        return trace;
    }

    /**
     * SIGTERM to the traced JVM (a clean stop), then wait for strace to finish writing the trace.
     */
    void stop() throws IOException, InterruptedException
    {
        final Optional<ProcessHandle> jvm = process.children().findFirst();
        jvm.ifPresent(ProcessHandle::destroy);
        if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            kill(process);
            throw new IOException("the traced JVM did not stop within " + STOP_TIMEOUT_MS + " ms of SIGTERM:\n" +
                Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close()
    {
        try
        {
            kill(process);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void kill(final Process process) throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
}
