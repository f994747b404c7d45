package io.metrodb.bench.support;

import picocli.CommandLine;

/**
 * Runs a harness's picocli command and exits with its code: 0 when it ran, 2 on a bad command line (with the usage),
 * 1 when it failed (with the stack trace), so a script sees the failure and no stray thread keeps the JVM up.
 * An option given twice takes its last value, as the scripts rely on ({@code --out X $EXTRA_ARGS}).
 */
public final class HarnessCommand
{
    private HarnessCommand()
    {
    }

    /**
     * @param command an object annotated with {@link CommandLine.Command} implementing {@code Callable<Integer>}
     *                or {@code Runnable}.
     * @param args    the command line.
     */
    public static void run(final Object command, final String[] args)
    {
        System.exit(new CommandLine(command).setOverwrittenOptionsAllowed(true).execute(args));
    }

    /**
     * Throws a usage error (exit code 2, with the usage) when {@code valid} is false.
     */
    public static void require(final CommandLine.Model.CommandSpec spec, final boolean valid, final String message)
    {
        if (!valid)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
