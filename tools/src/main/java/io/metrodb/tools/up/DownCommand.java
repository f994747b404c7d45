package io.metrodb.tools.up;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code metrodb down}: stops an {@code up} running in a directory (SIGTERM; it stops its nodes in order) and waits
 * until it and every node are gone; nodes left by an {@code up} that was killed are stopped from their pid files.
 */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = "Stops what 'metrodb up' runs in --dir (SIGTERM to up, which stops the gateway, then the hosts, " +
        "each stopping mond, its mapd, then its logd) and waits until every process is gone.")
public final class DownCommand implements Callable<Integer>
{
    static final long UP_STOP_WAIT_MS = 60_000;
    private static final String[] STOP_ORDER = {"mond", "gateway", "mapd", "logd"};

    @Option(names = "--dir", defaultValue = "./data", paramLabel = "DIR",
        description = "The cluster directory given to up. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Override
    public Integer call() throws IOException
    {
        final PrintStream out = System.out;
        final Path home = dir.toAbsolutePath().normalize();
        boolean any = false;
        final Optional<ProcessHandle> up = RunDir.liveProcess(home, "up");
        if (up.isPresent())
        {
            any = true;
            up.get().destroy();
            if (!await(up.get(), UP_STOP_WAIT_MS))
            {
                out.println("up (pid " + up.get().pid() + ") did not stop within " + UP_STOP_WAIT_MS / 1000 +
                    " s: SIGKILL; stopping its nodes from their pid files");
                up.get().destroyForcibly();
                await(up.get(), Supervisor.STOP_WAIT_MS);
            }
            else
            {
                out.println("stopped up (pid " + up.get().pid() + ")");
            }
        }
        // Nodes whose up is gone (killed with SIGKILL): by their pid files, in the same order up stops them.
        for (final String prefix : STOP_ORDER)
        {
            final List<ProcessHandle> group = new ArrayList<>();
            for (final Path pidFile : pidFiles(home, prefix))
            {
                final String name = pidFile.getFileName().toString().replace(".pid", "");
                final Optional<ProcessHandle> node = RunDir.liveProcess(home, name);
                if (node.isPresent())
                {
                    node.get().destroy();
                    group.add(node.get());
                    out.println("stopping " + name + " (pid " + node.get().pid() + ")");
                }
                Files.deleteIfExists(pidFile);
            }
            for (final ProcessHandle node : group)
            {
                any = true;
                if (!await(node, Supervisor.STOP_WAIT_MS))
                {
                    node.destroyForcibly();
                    await(node, Supervisor.STOP_WAIT_MS);
                }
            }
        }
        Files.deleteIfExists(Supervisor.pidFile(home, "up"));
        if (!any)
        {
            out.println("nothing running in " + home);
        }
        return 0;
    }

    private static List<Path> pidFiles(final Path home, final String prefix) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(home))
        {
            return files;
        }
        try (var stream = Files.list(home))
        {
            stream.filter(p ->
            {
                final String name = p.getFileName().toString();
                return name.startsWith(prefix) && name.endsWith(".pid");
            }).sorted().forEach(files::add);
        }
        return files;
    }

    private static boolean await(final ProcessHandle process, final long timeoutMs)
    {
        try
        {
            process.onExit().get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final TimeoutException e)
        {
            return false;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (final ExecutionException e)
        {
            return !process.isAlive();
        }
    }
}
