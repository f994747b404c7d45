package io.metrodb.tools.up;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The files {@code up} keeps in a cluster directory for {@code status} and {@code down}: {@code up.pid} (the
 * supervisor), {@code <name>.pid} (each node, rewritten on restart) and {@code endpoints} (one
 * {@code name role host:port} line per node).
 */
final class RunDir
{
    static final String ENDPOINTS = "endpoints";

    private RunDir()
    {
    }

    /**
     * @return the pid of a live {@code up} supervising {@code home}, or null.
     */
    static String runningUp(final Path home)
    {
        return livePid(home, "up");
    }

    /**
     * @return the pid in {@code <home>/<name>.pid} when that process is alive and is a MetroDB JVM, else null.
     */
    static String livePid(final Path home, final String name)
    {
        final Optional<ProcessHandle> handle = liveProcess(home, name);
        return handle.map(h -> Long.toString(h.pid())).orElse(null);
    }

    /**
     * @return the live MetroDB process named by {@code <home>/<name>.pid}, if any.
     */
    static Optional<ProcessHandle> liveProcess(final Path home, final String name)
    {
        final Path file = Supervisor.pidFile(home, name);
        if (!Files.isRegularFile(file))
        {
            return Optional.empty();
        }
        try
        {
            final long pid = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(RunDir::isMetroDb);
        }
        catch (final IOException | NumberFormatException e)
        {
            return Optional.empty();
        }
    }

    /**
     * A pid file can outlive its process and the pid be reused: only a JVM running MetroDB counts.
     */
    private static boolean isMetroDb(final ProcessHandle handle)
    {
        return handle.info().commandLine().map(line -> line.contains("metrodb")).orElse(true);
    }

    static void writeEndpoints(final Path home, final List<NodeSpec> nodes) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        for (final NodeSpec node : nodes)
        {
            text.append(node.name()).append(' ').append(node.role()).append(' ').append(node.endpoint()).append('\n');
        }
        Files.writeString(home.resolve(ENDPOINTS), text, StandardCharsets.UTF_8);
    }

    /**
     * @return the {@code name role host:port} lines, split; empty when there is no endpoints file.
     */
    static List<String[]> readEndpoints(final Path home)
    {
        final Path file = home.resolve(ENDPOINTS);
        final List<String[]> endpoints = new ArrayList<>();
        if (!Files.isRegularFile(file))
        {
            return endpoints;
        }
        try
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                final String[] fields = line.trim().split(" ");
                if (fields.length == 3)
                {
                    endpoints.add(fields);
                }
            }
        }
        catch (final IOException | UncheckedIOException e)
        {
            return endpoints;
        }
        return endpoints;
    }

    /**
     * Removes {@code up.pid} when it names this process.
     */
    static void removeUpFiles(final Path home)
    {
        try
        {
            final Path file = Supervisor.pidFile(home, "up");
            if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.US_ASCII).trim()
                .equals(Long.toString(ProcessHandle.current().pid())))
            {
                Files.delete(file);
            }
        }
        catch (final IOException e)
        {
            System.out.println("metrodb up: cannot remove " + home.resolve(UpCommand.UP_PID) + ": " + e.getMessage());
        }
    }
}
