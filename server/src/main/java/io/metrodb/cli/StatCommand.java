package io.metrodb.cli;

import io.metrodb.server.counters.CountersFileReader;
import io.metrodb.server.counters.CountersLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code metrodb stat}: prints the live counters of the daemons whose counters files are under the given
 * directories (like Aeron's AeronStat). Reads the files read-only; works while the daemons write them.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = {
        "Print the counters of running (or stopped) daemons from their counters files (counters.dat).",
        "Each DIR is a daemon's directory (logd/mapd --dir, mond --dir) or a directory holding those, " +
            "such as the run directory of bin/cluster."
    })
public final class StatCommand implements Callable<Integer>
{
    @Parameters(paramLabel = "DIR", arity = "0..*",
        description = "Daemon directories, or directories of them. Default: $METRODB_RUN_DIR, else ./run.")
    List<Path> dirs = new ArrayList<>();

    @Option(names = "--watch", paramLabel = "SECONDS",
        description = "Print again every SECONDS seconds until interrupted (a separator line between screens).")
    long watchSeconds;

    @Option(names = "--errors", description = "Print each daemon's distinct error log: count, first and last " +
        "time, the stack trace.")
    boolean errors;

    @Override
    public Integer call() throws Exception
    {
        final List<Path> files = counterFiles(dirs.isEmpty() ? List.of(defaultRunDir()) : dirs);
        if (files.isEmpty())
        {
            System.err.println("metrodb stat: no " + CountersLayout.FILE_NAME + " under " + dirs);
            return 1;
        }
        while (true)
        {
            for (final Path file : files)
            {
                print(file, errors, System.out);
            }
            if (watchSeconds <= 0)
            {
                return 0;
            }
            System.out.flush();
            Thread.sleep(watchSeconds * 1000);
            System.out.println("----- " + Instant.now() + " -----");
        }
    }

    private static Path defaultRunDir()
    {
        final String run = System.getenv("METRODB_RUN_DIR");
        return Paths.get(null == run || run.isEmpty() ? "run" : run);
    }

    /**
     * @return the counters files in each directory, or in its subdirectories, sorted by path.
     */
    public static List<Path> counterFiles(final List<Path> dirs) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        for (final Path dir : dirs)
        {
            final Path direct = dir.resolve(CountersLayout.FILE_NAME);
            if (Files.isRegularFile(direct))
            {
                files.add(direct);
            }
            else if (Files.isDirectory(dir))
            {
                try (Stream<Path> children = Files.list(dir))
                {
                    children.map(child -> child.resolve(CountersLayout.FILE_NAME)).filter(Files::isRegularFile)
                        .sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    /**
     * Prints one daemon: kind, directory, pid, running or not, start time, then each counter {@code name value} in
     * id order.
     */
    public static void print(final Path file, final boolean withErrors, final PrintStream out)
    {
        try (CountersFileReader reader = CountersFileReader.open(file))
        {
            final String state = reader.isRunning() ? "running" :
                reader.isClosed() ? "not running (stopped)" : "not running (no clean stop)";
            out.println("# " + reader.kind() + " " + file.getParent() + " pid " + reader.pid() + " " + state +
                ", started " + Instant.ofEpochMilli(reader.startTimeMs()));
            reader.forEach((counterId, typeId, keyBuffer, label) ->
                out.println(label + " " + reader.value(counterId)));
            if (withErrors)
            {
                final int distinct = reader.readErrors((count, firstMs, lastMs, trace) ->
                    out.println("error x" + count + " first " + Instant.ofEpochMilli(firstMs) + " last " +
                        Instant.ofEpochMilli(lastMs) + "\n" + trace));
                out.println(distinct + " distinct errors");
            }
        }
        catch (final RuntimeException e)
        {
            out.println("# " + file + ": " + e.getMessage());
        }
    }
}
