package io.metrodb.tools.up;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the processes of a local cluster (see {@link ProcessSpec}) as children and keeps them running: one that
 * exits is restarted after a backoff (0.5 s doubling to 10 s, back to 0.5 s once it stayed up 30 s) and each restart
 * is printed. {@link #stop()} stops them clients first: SIGTERM to a lone gateway, then the hosts (each stops mond,
 * its mapd, then its logd), waiting for each group, SIGKILL for what is left after {@link #STOP_WAIT_MS}.
 * Each process writes its output to {@code <dir>/<process>.log}, and its pid to {@code <dir>/<node>.pid} for each
 * of its nodes.
 */
public final class Supervisor
{
    public static final long INITIAL_BACKOFF_MS = 500;
    public static final long MAX_BACKOFF_MS = 10_000;
    public static final long STABLE_AFTER_MS = 30_000;
    public static final long STOP_WAIT_MS = 10_000;
    private static final int CONNECT_TIMEOUT_MS = 200;
    /** Clients first: a lone gateway, then the hosts (each stops mond, its mapd, then its logd). */
    private static final List<List<String>> STOP_ORDER = List.of(List.of(NodeSpec.GATEWAY),
        List.of(ProcessSpec.HOST_COMMAND));

    private final Path dir;
    private final Launcher launcher;
    private final PrintStream out;
    private final List<Child> children = new ArrayList<>();
    private final LinkedBlockingQueue<Exit> exits = new LinkedBlockingQueue<>();
    private final List<String> prefix;
    private boolean stopping;

    /**
     * @param dir      the cluster's directory (logs and pid files)
     * @param launcher  builds each process's command line
     * @param processes the processes, in start order
     * @param out       where starts, exits and restarts are reported
     */
    public Supervisor(final Path dir, final Launcher launcher, final List<ProcessSpec> processes,
        final PrintStream out)
    {
        this.dir = dir;
        this.launcher = launcher;
        this.out = out;
        for (final ProcessSpec process : processes)
        {
            children.add(new Child(process));
        }
        this.prefix = setsid();
    }

    /**
     * Starts the processes stage by stage (the hosts, then a gateway in a process of its own), each stage once
     * every node of the one before accepts connections.
     *
     * @param deadlineNs {@link System#nanoTime()} by which every node must listen
     * @throws IOException naming the process that exited or did not listen in time, with the end of its log.
     */
    public void startAll(final long deadlineNs) throws IOException, InterruptedException
    {
        int stage = Integer.MIN_VALUE;
        final List<Child> starting = new ArrayList<>();
        for (final Child child : children)
        {
            if (child.spec.stage() != stage)
            {
                awaitListening(starting, deadlineNs);
                starting.clear();
                stage = child.spec.stage();
            }
            start(child);
            starting.add(child);
        }
        awaitListening(starting, deadlineNs);
    }

    private void awaitListening(final List<Child> starting, final long deadlineNs)
        throws IOException, InterruptedException
    {
        for (final Child child : starting)
        {
            for (final NodeSpec node : child.spec.nodes())
            {
                while (!accepts(node.port()))
                {
                    final Process process = child.process;
                    if (process == null || !process.isAlive())
                    {
                        throw new IOException(child.spec.describe() + " exited while starting" +
                            (process == null ? "" : " (exit " + process.exitValue() + ")") + "; the end of its log (" +
                            logFile(child.spec) + "):\n" + tail(logFile(child.spec), 20));
                    }
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        throw new IOException(node.name() + " is not listening on " + node.endpoint() + " yet; see " +
                            logFile(child.spec));
                    }
                    process.onExit().completeOnTimeout(process, 50, TimeUnit.MILLISECONDS).join();
                }
            }
        }
    }

    /**
     * @return true when something accepts a connection on loopback {@code port}.
     */
    static boolean accepts(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(ClusterLayout.HOST, port), CONNECT_TIMEOUT_MS);
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    /**
     * Restarts nodes that exit, until {@link #stop()}.
     */
    public void superviseUntilStopped() throws InterruptedException
    {
        while (true)
        {
            long waitMs = 1_000;
            synchronized (this)
            {
                if (stopping)
                {
                    return;
                }
                final long nowNs = System.nanoTime();
                for (final Child child : children)
                {
                    if (child.restartPending)
                    {
                        final long dueMs = TimeUnit.NANOSECONDS.toMillis(child.restartAtNs - nowNs);
                        if (dueMs <= 0)
                        {
                            child.restartPending = false;
                            start(child);
                            out.println(child.spec.describe() + " restarted (pid " + child.process.pid() + ")");
                        }
                        else
                        {
                            waitMs = Math.min(waitMs, dueMs);
                        }
                    }
                }
            }
            final Exit exit = exits.poll(Math.max(1, waitMs), TimeUnit.MILLISECONDS);
            if (exit != null)
            {
                onExit(exit);
            }
        }
    }

    private synchronized void onExit(final Exit exit)
    {
        final Child child = exit.child;
        if (stopping || child.process != exit.process)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        final long upMs = TimeUnit.NANOSECONDS.toMillis(nowNs - child.startedNs);
        child.backoffMs = upMs >= STABLE_AFTER_MS ? INITIAL_BACKOFF_MS : child.backoffMs;
        out.println(child.spec.describe() + " exited (exit " + exit.process.exitValue() + ") after " + seconds(upMs) +
            "; restarting in " + seconds(child.backoffMs) + " (log: " + logFile(child.spec) + ")");
        child.restartAtNs = nowNs + TimeUnit.MILLISECONDS.toNanos(child.backoffMs);
        child.restartPending = true;
        child.backoffMs = Math.min(MAX_BACKOFF_MS, child.backoffMs * 2);
    }

    private static String seconds(final long ms)
    {
        return String.format("%.1f s", ms / 1000.0);
    }

    private synchronized void start(final Child child) throws UncheckedIOException
    {
        if (stopping)
        {
            return;
        }
        try
        {
            for (final NodeSpec node : child.spec.nodes())
            {
                if (node.dir() != null)
                {
                    Files.createDirectories(node.dir());
                }
            }
            final List<String> command = new ArrayList<>(prefix);
            command.addAll(launcher.command(child.spec));
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(child.spec).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
            child.process = process;
            child.startedNs = System.nanoTime();
            for (final NodeSpec node : child.spec.nodes())
            {
                Files.writeString(pidFile(dir, node.name()), process.pid() + "\n", StandardCharsets.US_ASCII);
            }
            process.onExit().thenRun(() -> exits.add(new Exit(child, process)));
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot start " + child.spec.describe() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops every process: SIGTERM by group (a lone gateway, the hosts), waiting up to {@link #STOP_WAIT_MS} for
     * each group, then SIGKILL for any left; removes the pid files. Idempotent.
     */
    public void stop()
    {
        synchronized (this)
        {
            if (stopping)
            {
                return;
            }
            stopping = true;
        }
        for (final List<String> roles : STOP_ORDER)
        {
            final List<Process> group = new ArrayList<>();
            for (final Child child : children)
            {
                final Process process = child.process;
                if (roles.contains(child.spec.kind()) && process != null)
                {
                    process.destroy();
                    group.add(process);
                }
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
            for (final Process process : group)
            {
                awaitOrKill(process, deadlineNs);
            }
        }
        for (final Child child : children)
        {
            for (final NodeSpec node : child.spec.nodes())
            {
                try
                {
                    Files.deleteIfExists(pidFile(dir, node.name()));
                }
                catch (final IOException e)
                {
                    out.println("cannot remove " + pidFile(dir, node.name()) + ": " + e.getMessage());
                }
            }
        }
    }

    private void awaitOrKill(final Process process, final long deadlineNs)
    {
        try
        {
            process.onExit().get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException e)
        {
            out.println("pid " + process.pid() + " did not stop within " + seconds(STOP_WAIT_MS) + ": SIGKILL");
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.onExit().join();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        catch (final ExecutionException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the pid of each process now, in start order ({@code -1} for one not running).
     */
    public synchronized List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        for (final Child child : children)
        {
            final Process process = child.process;
            pids.add(process != null && process.isAlive() ? process.pid() : -1L);
        }
        return pids;
    }

    Path logFile(final ProcessSpec process)
    {
        return logFile(dir, process.name());
    }

    /**
     * @return {@code <dir>/<process>.log}.
     */
    public static Path logFile(final Path dir, final String process)
    {
        return dir.resolve(process + ".log");
    }

    /**
     * @return {@code <dir>/<name>.pid}.
     */
    public static Path pidFile(final Path dir, final String name)
    {
        return dir.resolve(name + ".pid");
    }

    /**
     * @return the last {@code lines} lines of {@code file}, or a note when it cannot be read.
     */
    static String tail(final Path file, final int lines)
    {
        try
        {
            final List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException | UncheckedIOException e)
        {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Each node in its own session when {@code setsid} is there: Ctrl-C in a terminal then reaches {@code up}
     * only, which stops the nodes in order, instead of every node at once.
     */
    private static List<String> setsid()
    {
        for (final String candidate : new String[] {"/usr/bin/setsid", "/bin/setsid"})
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                return List.of(candidate);
            }
        }
        return List.of();
    }

    private static final class Child
    {
        final ProcessSpec spec;
        volatile Process process;
        long startedNs;
        long backoffMs = INITIAL_BACKOFF_MS;
        long restartAtNs;
        boolean restartPending;

        Child(final ProcessSpec spec)
        {
            this.spec = spec;
        }
    }

    private record Exit(Child child, Process process)
    {
    }
}
