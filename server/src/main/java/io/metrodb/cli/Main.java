package io.metrodb.cli;

import io.metrodb.logd.LogdCommand;
import io.metrodb.logd.LogdVerifyCommand;
import io.metrodb.mapd.MapdCommand;
import io.metrodb.mond.MondCommand;
import io.metrodb.server.ListenException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code metrodb}: the entry point of the server jar; each daemon and tool is a subcommand.
 */
@Command(
    name = "metrodb",
    mixinStandardHelpOptions = true,
    version = "MetroDB 0.1.0-SNAPSHOT",
    description = "MetroDB: a distributed key-value store on immutable logs.",
    subcommands = {
        LogdCommand.class,
        LogdVerifyCommand.class,
        StatCommand.class,
        MapdCommand.class,
        MondCommand.class,
        HostCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Runnable
{
    /** Netty's switch for its JFR events (buffer allocator chunk events, from Netty 4.2). */
    static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";
    /** JUL's format, which the daemons' System.Logger lines use: one line each (JUL's default takes two). */
    static final String LOG_FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
    static final String LOG_FORMAT = "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n";
    /** JUL's log manager class: one that keeps logging while a daemon stops ({@link DaemonLogManager}). */
    static final String LOG_MANAGER_PROPERTY = "java.util.logging.manager";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(final String[] args)
    {
        defaultSystemProperties();
        System.exit(commandLine().execute(args));
    }

    /**
     * Before anything logs: one line per log line ({@code -Djava.util.logging.SimpleFormatter.format} overrides it),
     * and lines logged while a daemon stops are not lost ({@link DaemonLogManager}).
     * Before any Netty class loads: Netty's JFR events off unless {@code -Dio.netty.jfr.enabled} says otherwise.
     * With them on, a daemon's first pooled buffer loads and registers JFR's event machinery (~80 classes; 0.1 to
     * 0.45 s of the ~2.5 s of CPU a mapd spends starting on an empty directory, measured on a loaded 2-core VM),
     * for events nothing records by default.
     */
    static void defaultSystemProperties()
    {
        if (System.getProperty(NETTY_JFR_PROPERTY) == null)
        {
            System.setProperty(NETTY_JFR_PROPERTY, "false");
        }
        if (System.getProperty(LOG_FORMAT_PROPERTY) == null)
        {
            System.setProperty(LOG_FORMAT_PROPERTY, LOG_FORMAT);
        }
        if (System.getProperty(LOG_MANAGER_PROPERTY) == null)
        {
            System.setProperty(LOG_MANAGER_PROPERTY, DaemonLogManager.class.getName());
        }
    }

    /**
     * @return the command line, with bad option values reported as usage errors (exit 2) and a daemon that cannot
     * bind its address reported in one line (exit 1).
     */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new Main());
        // host's options end at its first daemon name: what follows belongs to the daemons.
        commandLine.getSubcommands().get("host").setStopAtPositional(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) ->
        {
            if (e instanceof IllegalArgumentException)
            {
                cmd.getErr().println(cmd.getColorScheme().errorText("metrodb: " + e.getMessage()));
                return 2;
            }
            if (e instanceof ListenException)
            {
                cmd.getErr().println(cmd.getColorScheme().errorText(cmd.getCommandName() + ": " + e.getMessage()));
                return 1;
            }
            throw e;
        });
        return commandLine;
    }
}
