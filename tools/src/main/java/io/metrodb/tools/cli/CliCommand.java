package io.metrodb.tools.cli;

import io.metrodb.client.MetroClient;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * {@code metrodb-cli}: a redis-cli style client of one mapd, on the SDK. With a command it prints the reply and
 * exits (0, 1 on an error reply, 2 on a usage error); without, it opens an interactive prompt (or, when the
 * input is not a terminal, runs one command per input line); {@code --latency} and {@code --stat} watch the mapd.
 */
@Command(name = "metrodb-cli", sortOptions = false, usageHelpAutoWidth = true,
    description = {"A redis-cli style client of a MetroDB mapd.",
        "With COMMAND: runs it, prints the reply, exits 0 (1 on an error reply, 2 on a usage error).",
        "Without: an interactive prompt (HELP lists the commands; one command per line when the input is " +
            "not a terminal)."},
    footer = {"", "Examples:", "  metrodb-cli SET greeting hello", "  metrodb-cli -p 7551 GET greeting",
        "  metrodb-cli SETFROMFILE photo ./photo.jpg", "  metrodb-cli --latency --count 100"})
public final class CliCommand implements Callable<Integer>
{
    /** Default mapd port, as {@code metrodb mapd}'s. */
    public static final int DEFAULT_PORT = 7550;
    /** Environment variable naming the history file (default {@code ~/.metrodb_cli_history}). */
    public static final String HISTORY_ENV = "METRODB_CLI_HISTORY";
    /** Environment variable holding the auth token when {@code --auth-token-file} is not given. */
    public static final String TOKEN_ENV = "METRODB_AUTH_TOKEN";

    @Option(names = {"-h", "--host"}, paramLabel = "HOST", description = "Mapd host (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Mapd port (default: ${DEFAULT-VALUE}).")
    int port = DEFAULT_PORT;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "File holding the cluster's auth token (default: $" + TOKEN_ENV + ", else none).")
    Path authTokenFile;

    @Option(names = "--mond", paramLabel = "HOST:PORT",
        description = "Ask this mond for CLUSTER instead of the mapd (which shows the view mond pushed to it).")
    String mond;

    @Option(names = "--timeout-ms", paramLabel = "MS",
        description = "How long a request may wait for its answer (default: ${DEFAULT-VALUE}).")
    long timeoutMs = MetroClient.DEFAULT_REQUEST_TIMEOUT_MS;

    @Option(names = "--latency",
        description = "Time a PING (or a GET of --latency-key) every 10 ms; print min, max and average in ms.")
    boolean latency;

    @Option(names = "--latency-key", paramLabel = "KEY", description = "With --latency: time GETs of this key.")
    String latencyKey;

    @Option(names = "--stat", description = "Print a line a second with the mapd's keys and request counters.")
    boolean stat;

    @Option(names = "--count", paramLabel = "N",
        description = "Stop --latency after N samples, --stat after N lines (default: until Ctrl-C).")
    long count;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS",
        description = "Seconds between --stat lines (default: ${DEFAULT-VALUE}).")
    double intervalSeconds = 1;

    @Option(names = "--history-file", paramLabel = "FILE",
        description = "The prompt's history file (default: $" + HISTORY_ENV +
            ", else .metrodb_cli_history in the home directory).")
    Path historyFile;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
        description = "A command and its arguments, e.g. SET key value (HELP lists them).")
    List<String> command = new ArrayList<>();

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final UnaryOperator<String> env;
    private final boolean terminal;
    private final boolean dumbPrompt;

    /**
     * The command on the process' streams and environment.
     */
    public CliCommand()
    {
        this(System.in, System.out, System.err, System::getenv, System.console() != null, false);
    }

    /**
     * @param in       where the prompt reads.
     * @param out      where replies go.
     * @param err      where usage errors go.
     * @param env      the environment.
     * @param terminal   true when the process' streams are a terminal: the system terminal then serves the
     *                   prompt, and --latency rewrites its line in place.
     * @param dumbPrompt true (tests) to run the prompt on a dumb terminal over {@code in} and {@code out} instead
     *                   of reading one command per line without a prompt when there is no terminal.
     */
    public CliCommand(
        final InputStream in,
        final PrintStream out,
        final PrintStream err,
        final UnaryOperator<String> env,
        final boolean terminal,
        final boolean dumbPrompt)
    {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.terminal = terminal;
        this.dumbPrompt = dumbPrompt;
    }

    /**
     * Runs {@code metrodb-cli} and exits with its code.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(new CliCommand(), args));
    }

    /**
     * Runs the CLI in this JVM (tests, tools that embed it), with {@code cli}'s streams.
     *
     * @return the exit code: 0, 1 on an error reply or failure, 2 on a usage error.
     */
    public static int execute(final CliCommand cli, final String[] args)
    {
        final CommandLine line = new CommandLine(cli)
            .setStopAtPositional(true)
            .setOut(new PrintWriter(cli.out, true, StandardCharsets.UTF_8))
            .setErr(new PrintWriter(cli.err, true, StandardCharsets.UTF_8));
        line.setExecutionExceptionHandler((e, commandLine, parseResult) ->
        {
            cli.err.println("metrodb-cli: " + e);
            return 1;
        });
        return line.execute(args);
    }

    @Override
    public Integer call() throws Exception
    {
        if (latency && stat)
        {
            return usageError("--latency and --stat cannot be used together");
        }
        if ((latency || stat) && !command.isEmpty())
        {
            return usageError("--latency and --stat take no COMMAND");
        }
        if (count < 0 || intervalSeconds <= 0 || timeoutMs < 1 || port < 1 || port > 0xFFFF)
        {
            return usageError("--count must be at least 0, --interval and --timeout-ms positive, --port in 1..65535");
        }
        final String token;
        final InetSocketAddress mondAddress;
        try
        {
            token = authToken();
            mondAddress = mond == null ? null : parseAddress(mond);
        }
        catch (final IOException | IllegalArgumentException e)
        {
            return usageError(e instanceof IOException ? CommandRunner.describe((IOException)e) : e.getMessage());
        }
        final int linkTimeoutMs = (int)Math.min(Integer.MAX_VALUE, timeoutMs);
        try (MetroClient client = MetroClient.builder(host + ":" + port).authToken(token).requestTimeoutMs(timeoutMs)
                .build();
            AdminLink mapdLink = new AdminLink(new InetSocketAddress(host, port), token, linkTimeoutMs);
            AdminLink mondLink = mondAddress == null ? null : new AdminLink(mondAddress, token, linkTimeoutMs))
        {
            final CommandRunner runner = new CommandRunner(client, mapdLink, mondLink);
            if (latency)
            {
                return runLatency(client, mapdLink);
            }
            if (stat)
            {
                return runStat(mapdLink);
            }
            if (!command.isEmpty())
            {
                return oneShot(runner);
            }
            if (terminal || dumbPrompt)
            {
                return prompt(runner);
            }
            return pipe(runner);
        }
    }

    private int runLatency(final MetroClient client, final AdminLink mapdLink) throws Exception
    {
        final byte[] key = latencyKey == null ? null : latencyKey.getBytes(StandardCharsets.UTF_8);
        final LatencyMode.Sampler sampler = key == null ? mapdLink::ping : () ->
        {
            final long startNs = System.nanoTime();
            client.get(key);
            return System.nanoTime() - startNs;
        };
        try
        {
            new LatencyMode().run(sampler, count, terminal, out);
            return 0;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        catch (final Exception e)
        {
            return print(CommandRunner.errorReply(e), false);
        }
    }

    private int runStat(final AdminLink mapdLink)
    {
        try
        {
            new StatMode().run(() -> mapdLink.info(""), count, Math.max(1, (long)(intervalSeconds * 1000)), out);
            return 0;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        catch (final Exception e)
        {
            return print(CommandRunner.errorReply(e), false);
        }
    }

    private int oneShot(final CommandRunner runner)
    {
        final List<byte[]> words = new ArrayList<>(command.size());
        for (final String word : command)
        {
            words.add(word.getBytes(StandardCharsets.UTF_8));
        }
        return print(runner.run(words), true);
    }

    private int prompt(final CommandRunner runner) throws IOException
    {
        final Terminal term = terminal ?
            TerminalBuilder.builder().system(true).build() :
            new DumbTerminal("metrodb-cli", Terminal.TYPE_DUMB, in, out, StandardCharsets.UTF_8);
        try (term)
        {
            new Repl(term, runner, host + ":" + port + "> ", history()).run();
        }
        return 0;
    }

    /**
     * One command per input line, no prompt (like {@code echo PING | redis-cli}).
     *
     * @return 0, or 1 when any command answered an error.
     */
    private int pipe(final CommandRunner runner) throws IOException
    {
        int exitCode = 0;
        final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine())
        {
            final List<byte[]> words;
            try
            {
                words = LineSplitter.split(line);
            }
            catch (final IllegalArgumentException e)
            {
                exitCode = Math.max(exitCode, print(Reply.usageError("ERR Invalid argument(s): " + e.getMessage()),
                    false));
                continue;
            }
            if (!words.isEmpty())
            {
                exitCode = Math.max(exitCode, print(runner.run(words), false));
            }
        }
        return exitCode;
    }

    private int print(final Reply reply, final boolean oneShot)
    {
        if (reply.kind() == Reply.Kind.USAGE_ERROR && oneShot)
        {
            final String message = reply.text();
            err.println("metrodb-cli: " + (message.startsWith("ERR ") ? message.substring(4) : message));
            return 2;
        }
        out.println(ReplyFormatter.format(reply));
        out.flush();
        return reply.isError() ? 1 : 0;
    }

    private int usageError(final String message)
    {
        err.println("metrodb-cli: " + message);
        return 2;
    }

    private String authToken() throws IOException
    {
        if (authTokenFile != null)
        {
            final String token = Files.readString(authTokenFile, StandardCharsets.UTF_8).strip();
            if (token.isEmpty())
            {
                throw new IOException("auth token file " + authTokenFile + " is empty");
            }
            return token;
        }
        final String token = env.apply(TOKEN_ENV);
        return token == null || token.isBlank() ? null : token.strip();
    }

    private Path history()
    {
        if (historyFile != null)
        {
            return historyFile;
        }
        final String fromEnv = env.apply(HISTORY_ENV);
        if (fromEnv != null && !fromEnv.isBlank())
        {
            return Path.of(fromEnv);
        }
        return Path.of(System.getProperty("user.home"), ".metrodb_cli_history");
    }

    private static InetSocketAddress parseAddress(final String address)
    {
        final int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1)
        {
            throw new IllegalArgumentException("--mond must be host:port, was '" + address + "'");
        }
        try
        {
            return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("--mond must be host:port, was '" + address + "'", e);
        }
    }
}
