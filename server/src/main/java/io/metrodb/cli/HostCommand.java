package io.metrodb.cli;

import io.metrodb.logd.LogdCommand;
import io.metrodb.mapd.MapdCommand;
import io.metrodb.mond.MondCommand;
import io.metrodb.server.Daemon;
import io.metrodb.server.ServerRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code metrodb host}: several daemons in one JVM, as one host of a cluster runs them. Each daemon is parsed by its
 * own command (same options, same checks, same {@code --help}); they start in the order given and stop in the
 * reverse order. A JVM pays its start-up once (class loading, the JIT's first compilations, the native linker): a
 * host JVM with a logd and a mapd starts on about 40 % less CPU than the two JVMs would, which is what lets
 * {@code metrodb up} be ready in seconds on a 2-core box.
 */
@Command(
    name = "host",
    mixinStandardHelpOptions = true,
    description = {
        "Run several daemons in one JVM, as one host of a cluster: DAEMON ARGS... [+ DAEMON ARGS...]..., e.g.",
        "  metrodb host logd --dir d/logd1 --port 7558 + mapd --dir d/mapd1 --port 7550 --logds 127.0.0.1:7558",
        "Each DAEMON (logd, mapd or mond) takes the options of its own command ('metrodb host logd --help' " +
            "lists them). They start in the order given, each once the one before listens; SIGTERM stops them in " +
            "the reverse order. If one cannot start, those already started are stopped and the host exits 1."
    })
public final class HostCommand implements Callable<Integer>
{
    static final String SEPARATOR = "+";
    private static final List<String> DAEMONS = List.of("logd", "mapd", "mond");

    @Parameters(arity = "1..*", paramLabel = "DAEMON ARGS", description = "logd|mapd|mond and its options; " +
        "several separated by '" + SEPARATOR + "'.")
    List<String> args;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final List<Daemon> daemons = new ArrayList<>();
        final Set<String> reused = new HashSet<>();
        for (final List<String> group : groups(args))
        {
            final CommandLine commandLine = commandLine(group.get(0), reused);
            final CommandLine.ParseResult parsed = commandLine.parseArgs(
                group.subList(1, group.size()).toArray(new String[0]));
            final Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null)
            {
                return help;
            }
            daemons.add(commandLine.getCommand());
        }
        final List<AutoCloseable> started = new ArrayList<>();
        try
        {
            for (final Daemon daemon : daemons)
            {
                started.add(daemon.start());
            }
        }
        catch (final Exception e)
        {
            closeInReverse(started);
            throw e;
        }
        return ServerRunner.runUntilSignalled("host", () -> closeInReverse(started));
    }

    /**
     * @return the command line that parses a daemon's group: the one {@code metrodb} built for that daemon the
     * first time (building another costs a JVM's start-up ~0.1 s of CPU), a new one for a second of its kind.
     */
    private CommandLine commandLine(final String name, final Set<String> reused)
    {
        if (!DAEMONS.contains(name))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "'" + name + "' is not a daemon: each group starts with logd, mapd or mond");
        }
        final CommandLine parent = spec.commandLine().getParent();
        final CommandLine existing = parent == null ? null : parent.getSubcommands().get(name);
        if (existing != null && existing.getCommand() instanceof Daemon && reused.add(name))
        {
            return existing;
        }
        final Daemon daemon = "logd".equals(name) ? new LogdCommand() :
            "mapd".equals(name) ? new MapdCommand() : new MondCommand();
        return new CommandLine(daemon)
            .setCommandName("metrodb host " + name)
            .setOut(spec.commandLine().getOut())
            .setErr(spec.commandLine().getErr());
    }

    /**
     * @return {@code args} split on {@link #SEPARATOR}.
     */
    private List<List<String>> groups(final List<String> args)
    {
        final List<List<String>> groups = new ArrayList<>();
        List<String> group = new ArrayList<>();
        for (final String arg : args)
        {
            if (SEPARATOR.equals(arg))
            {
                groups.add(nonEmpty(group));
                group = new ArrayList<>();
            }
            else
            {
                group.add(arg);
            }
        }
        groups.add(nonEmpty(group));
        return groups;
    }

    private List<String> nonEmpty(final List<String> group)
    {
        if (group.isEmpty())
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "an empty daemon between '" + SEPARATOR + "' separators");
        }
        return group;
    }

    /**
     * Closes the last started first (a mapd before the logd it writes to), each even if one before failed.
     */
    private static void closeInReverse(final List<AutoCloseable> started) throws Exception
    {
        Exception first = null;
        for (int i = started.size() - 1; i >= 0; i--)
        {
            try
            {
                started.get(i).close();
            }
            catch (final Exception e)
            {
                if (first == null)
                {
                    first = e;
                }
                else
                {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null)
        {
            throw first;
        }
    }
}
