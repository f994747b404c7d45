package io.metrodb.tools;

import io.metrodb.gateway.GatewayCommand;
import io.metrodb.tools.chaos.ChaosCommand;
import io.metrodb.tools.up.DownCommand;
import io.metrodb.tools.up.StatusCommand;
import io.metrodb.tools.up.UpCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code metrodb} commands of the tools jar: the local cluster ({@code up}, {@code status}, {@code down}), the
 * REST gateway ({@code gateway}) and the chaos checker ({@code chaos}). The CLI has its own entry point
 * ({@code bin/metrodb-cli}: {@link io.metrodb.tools.cli.CliCommand}).
 */
@Command(
    name = "metrodb",
    mixinStandardHelpOptions = true,
    version = "MetroDB 0.1.0-SNAPSHOT",
    description = "MetroDB tools: a local cluster, clients on the SDK and the chaos checker.",
    subcommands = {
        UpCommand.class,
        StatusCommand.class,
        DownCommand.class,
        GatewayCommand.class,
        ChaosCommand.class,
        CommandLine.HelpCommand.class
    })
public final class ToolsMain implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * @return the command line, with bad option values ({@link IllegalArgumentException}) reported in one line
     * (exit 2).
     */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new ToolsMain());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) ->
        {
            if (e instanceof IllegalArgumentException)
            {
                cmd.getErr().println(cmd.getColorScheme().errorText("metrodb " + cmd.getCommandName() + ": " +
                    e.getMessage()));
                return 2;
            }
            throw e;
        });
        return commandLine;
    }
}
