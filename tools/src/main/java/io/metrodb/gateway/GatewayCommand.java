package io.metrodb.gateway;

import io.metrodb.protocol.netty.SystemdNotify;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code metrodb gateway}: runs the REST gateway in the foreground until SIGTERM or Ctrl-C.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = {
        "Runs the REST gateway: POST/PUT /<key> with the value as the body (SET; ?safe=1: SETSAFE), GET /<key>,",
        "DELETE /<key>; GET /cluster, /healthz and /metrics. See docs/GATEWAY.md."
    })
public final class GatewayCommand implements Callable<Integer>
{
    /** Environment variable read for the auth token when no --auth-token-file is given (as the daemons). */
    public static final String TOKEN_ENV = "METRODB_AUTH_TOKEN";

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = GatewayConfig.DEFAULT_HOST;

    @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port = GatewayConfig.DEFAULT_PORT;

    @Option(names = "--mapds", required = true, split = ",", paramLabel = "host:port",
        description = "The mapds to serve from, comma-separated.")
    List<String> mapds = new ArrayList<>();

    @Option(names = "--mond", paramLabel = "host:port", description = "mond, for GET /cluster (without it: 503).")
    String mond;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "File holding the cluster's auth token (default: $" + TOKEN_ENV + ", else none).")
    Path authTokenFile;

    @Option(names = "--max-value", paramLabel = "BYTES",
        description = "Largest value accepted, e.g. 1048576, 512k, 64m; larger bodies get 413 (default: 64m). "
            + "Match the mapds' --max-value.")
    String maxValue = "64m";

    @Option(names = "--io-threads", description = "Event loop threads (default: ${DEFAULT-VALUE}).")
    int ioThreads = GatewayConfig.DEFAULT_IO_THREADS;

    @Option(names = "--request-timeout-ms", description = "Time a mapd call may take (default: ${DEFAULT-VALUE}).")
    long requestTimeoutMs = GatewayConfig.DEFAULT_REQUEST_TIMEOUT_MS;

    @Option(names = "--admin-timeout-ms",
        description = "Time a daemon may take to answer /healthz, /metrics, /cluster (default: ${DEFAULT-VALUE}).")
    int adminTimeoutMs = GatewayConfig.DEFAULT_ADMIN_TIMEOUT_MS;

    @Override
    public Integer call() throws Exception
    {
        final GatewayConfig config;
        try
        {
            config = config();
        }
        catch (final IllegalArgumentException | IOException e)
        {
            System.err.println("metrodb gateway: " + e.getMessage());
            return 2;
        }
        final GatewayServer server;
        try
        {
            server = GatewayServer.start(config);
        }
        catch (final RuntimeException e)
        {
            System.err.println("metrodb gateway: " + AdminEndpoints.oneLine(e));
            return 1;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            SystemdNotify.stopping();
            server.close();
            stopped.countDown();
        }, "metrodb-gateway-shutdown"));
        System.out.println(listening(server));
        System.out.flush();
        SystemdNotify.ready();
        stopped.await();
        return 0;
    }

    /**
     * Starts a gateway in this JVM from its command line's arguments, as {@code metrodb gateway ARGS} would:
     * {@code metrodb up} runs its gateway this way, saving a JVM's start.
     *
     * @param args the arguments after {@code gateway}
     * @return the running gateway; its {@code listening} line is {@link #listening(GatewayServer)}.
     * @throws IllegalArgumentException naming a bad argument
     * @throws IllegalStateException    when the port cannot be bound
     */
    public static GatewayServer start(final List<String> args) throws IOException, InterruptedException
    {
        final GatewayCommand command = new GatewayCommand();
        try
        {
            new CommandLine(command).parseArgs(args.toArray(new String[0]));
        }
        catch (final CommandLine.ParameterException e)
        {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return GatewayServer.start(command.config());
    }

    /**
     * @return the line a gateway prints once it listens.
     */
    public static String listening(final GatewayServer server)
    {
        final GatewayConfig config = server.config();
        final List<String> mapds = new ArrayList<>();
        for (final InetSocketAddress mapd : config.mapds())
        {
            mapds.add(mapd.getHostString() + ":" + mapd.getPort());
        }
        return "gateway listening on http://" + config.host() + ":" + server.port() + " for mapds " +
            String.join(",", mapds) + (config.mond() == null ? "" : ", mond " + config.mond().getHostString() + ":" +
            config.mond().getPort());
    }

    GatewayConfig config() throws IOException
    {
        final List<InetSocketAddress> mapdAddresses = new ArrayList<>();
        for (final String mapd : mapds)
        {
            mapdAddresses.add(address("--mapds", mapd));
        }
        return new GatewayConfig(host, port, mapdAddresses, mond == null ? null : address("--mond", mond), token(),
            byteSize(maxValue), ioThreads, requestTimeoutMs, adminTimeoutMs);
    }

    private String token() throws IOException
    {
        if (authTokenFile != null)
        {
            final String token = Files.readString(authTokenFile, StandardCharsets.UTF_8).strip();
            if (token.isEmpty())
            {
                throw new IllegalArgumentException("auth token file " + authTokenFile + " is empty");
            }
            return token;
        }
        final String env = System.getenv(TOKEN_ENV);
        return env == null || env.isBlank() ? null : env.strip();
    }

    static InetSocketAddress address(final String option, final String text)
    {
        final String trimmed = text.trim();
        final int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1)
        {
            throw new IllegalArgumentException(option + ": expected host:port, got '" + text + "'");
        }
        try
        {
            final int port = Integer.parseInt(trimmed.substring(colon + 1));
            if (port < 1 || port > 65535)
            {
                throw new IllegalArgumentException(option + ": port out of range in '" + text + "'");
            }
            return new InetSocketAddress(trimmed.substring(0, colon), port);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + ": expected host:port, got '" + text + "'");
        }
    }

    /**
     * @param text a byte count, optionally with a k, m or g suffix (powers of 1024).
     * @return the count.
     */
    static int byteSize(final String text)
    {
        final String lower = text.trim().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String digits = lower;
        if (lower.endsWith("k") || lower.endsWith("m") || lower.endsWith("g"))
        {
            multiplier = lower.endsWith("k") ? 1L << 10 : lower.endsWith("m") ? 1L << 20 : 1L << 30;
            digits = lower.substring(0, lower.length() - 1);
        }
        try
        {
            final long bytes = Long.parseLong(digits) * multiplier;
            if (bytes < 0 || bytes > Integer.MAX_VALUE - 8)
            {
                throw new IllegalArgumentException("--max-value out of range: " + text);
            }
            return (int)bytes;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("--max-value: expected a byte count such as 1048576 or 64m, got '" +
                text + "'");
        }
    }

    /**
     * Runs {@code metrodb gateway} on its own.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        final CommandLine commandLine = new CommandLine(new GatewayCommand());
        commandLine.setErr(new PrintWriter(System.err, true));
        System.exit(commandLine.execute(args));
    }
}
