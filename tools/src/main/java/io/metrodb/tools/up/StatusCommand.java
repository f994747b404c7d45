package io.metrodb.tools.up;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code metrodb status}: what an {@code up} in a directory runs, from its pid files, with a connect to each
 * endpoint and mond's count of the nodes it sees UP.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows what 'metrodb up' runs in --dir: the supervisor, each node (pid, listening or not) and how " +
        "many nodes mond sees UP. Exit 0 when up runs there, 1 when not.")
public final class StatusCommand implements Callable<Integer>
{
    @Option(names = "--dir", defaultValue = "./data", paramLabel = "DIR",
        description = "The cluster directory given to up. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Override
    public Integer call()
    {
        final PrintStream out = System.out;
        final Path home = dir.toAbsolutePath().normalize();
        final String up = RunDir.runningUp(home);
        out.println(up != null ? "up       running (pid " + up + ") in " + home : "up       not running in " + home);
        final List<String[]> endpoints = RunDir.readEndpoints(home);
        for (final String[] node : endpoints)
        {
            final String name = node[0];
            final Optional<ProcessHandle> process = RunDir.liveProcess(home, name);
            final int port = Integer.parseInt(node[2].substring(node[2].lastIndexOf(':') + 1));
            out.printf("%-8s %-8s %-16s %s, %s%n", name, node[1], node[2],
                process.map(p -> "pid " + p.pid()).orElse("no process"),
                Supervisor.accepts(port) ? "listening" : "not listening");
            if (NodeSpec.MOND.equals(node[1]) && process.isPresent())
            {
                try
                {
                    final MondProbe.Health health = MondProbe.health(ClusterLayout.HOST, port, UpCommand.PROBE_TIMEOUT_MS);
                    out.println("mond sees " + health.up() + " of " + health.nodes() + " nodes UP");
                }
                catch (final IOException e)
                {
                    out.println("mond does not answer INFO: " + e.getMessage());
                }
            }
        }
        return up != null ? 0 : 1;
    }
}
