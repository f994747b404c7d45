package io.metrodb.tools.deploy;

import io.metrodb.cli.Main;
import io.metrodb.tools.ToolsMain;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The launcher's own picocli model: a command line as {@code bin/metrodb} would take it, parsed by the same
 * {@link CommandLine} the server jar ({@link Main}) or the tools jar ({@link ToolsMain}) builds, without running
 * anything. An unknown subcommand or option, a missing required option or a bad value fails the parse.
 * Not thread-safe: one parse at a time (picocli resets every option to its initial value before a parse).
 */
final class LauncherModel
{
    /** The subcommands bin/metrodb hands to the tools jar; every other one goes to the server jar. */
    static final Set<String> TOOLS_COMMANDS = Set.of("up", "status", "down", "gateway");

    /** Built once: building a command line reflects over every subcommand's class. */
    private static final CommandLine SERVER = Main.commandLine();
    private static final CommandLine TOOLS = ToolsMain.commandLine();

    private LauncherModel()
    {
    }

    /**
     * @param args the launcher's arguments, the subcommand first.
     * @return the parsed subcommand.
     * @throws CommandLine.ParameterException when picocli refuses the line, e.g. an unknown option.
     * @throws IllegalArgumentException when there is no subcommand.
     */
    static Parsed parse(final List<String> args)
    {
        if (args.isEmpty())
        {
            throw new IllegalArgumentException("no subcommand");
        }
        final CommandLine commandLine = TOOLS_COMMANDS.contains(args.get(0)) ? TOOLS : SERVER;
        final ParseResult result = commandLine.parseArgs(args.toArray(new String[0]));
        if (!result.hasSubcommand())
        {
            throw new IllegalArgumentException("'" + args.get(0) + "' is not a subcommand of the launcher");
        }
        return new Parsed(result.subcommand().commandSpec());
    }

    /**
     * @param subcommand e.g. {@code logd}.
     * @return the port the subcommand listens on without {@code --port}.
     */
    static int defaultPort(final String subcommand)
    {
        final CommandLine commandLine = TOOLS_COMMANDS.contains(subcommand) ? ToolsMain.commandLine() :
            Main.commandLine();
        final CommandLine sub = commandLine.getSubcommands().get(subcommand);
        if (sub == null)
        {
            throw new IllegalArgumentException("'" + subcommand + "' is not a subcommand of the launcher");
        }
        // A fresh command line, never parsed: each option holds its field's initial value, the default port
        // each command is built with.
        return Integer.parseInt(new Parsed(sub.getCommandSpec()).value("--port"));
    }

    /**
     * A subcommand after parsing: the values of its options, defaults included, copied at parse time.
     */
    static final class Parsed
    {
        private final String name;
        private final Map<String, String> values = new LinkedHashMap<>();

        Parsed(final CommandSpec spec)
        {
            this.name = spec.name();
            for (final OptionSpec option : spec.options())
            {
                final String text = text(option.getValue());
                for (final String alias : option.names())
                {
                    values.put(alias, text);
                }
            }
        }

        /**
         * @return the subcommand's name, e.g. {@code mapd}.
         */
        String name()
        {
            return name;
        }

        /**
         * @param option e.g. {@code --port}.
         * @return its value as text (a list joined with commas), the default when not given; null when it has
         * neither.
         * @throws IllegalArgumentException when the subcommand has no such option.
         */
        String value(final String option)
        {
            if (!values.containsKey(option))
            {
                throw new IllegalArgumentException(name + " has no option " + option);
            }
            return values.get(option);
        }

        /**
         * @return whether the subcommand takes this option at all.
         */
        boolean takes(final String option)
        {
            return values.containsKey(option);
        }

        private static String text(final Object value)
        {
            if (value == null)
            {
                return null;
            }
            if (value instanceof Collection)
            {
                final StringBuilder text = new StringBuilder();
                for (final Object item : (Collection<?>)value)
                {
                    text.append(text.length() == 0 ? "" : ",").append(item);
                }
                return text.toString();
            }
            return value.toString();
        }
    }
}
