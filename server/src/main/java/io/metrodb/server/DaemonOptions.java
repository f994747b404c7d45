package io.metrodb.server;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The command-line options every daemon command takes, as a picocli {@code @Mixin}: where it listens
 * ({@code --host}, {@code --port}) and the auth token ({@code --auth-token-file}). Each command creates its own
 * instance with its default port, which {@code --help} shows.
 */
public final class DaemonOptions
{
    /** Every daemon binds the loopback address unless told otherwise. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    @Option(names = "--host", defaultValue = DEFAULT_HOST,
        description = "Address to bind; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE}.")
    private String host;

    @Option(names = "--port", description = "Port to bind (0 picks a free one). Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = "--auth-token-file",
        description = "File holding the auth token HELLO must carry (also presented to the nodes this daemon " +
            "connects to). Default: $" + AuthToken.ENV + ", else none.")
    private Path authTokenFile;

    /**
     * @param defaultPort the port the daemon binds without {@code --port}.
     */
    public DaemonOptions(final int defaultPort)
    {
        this.port = defaultPort;
    }

    /**
     * @return the address to bind.
     */
    public String host()
    {
        return host;
    }

    /**
     * @return the port to bind, 0 for a free one.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the auth token from {@code --auth-token-file}, else from the environment, else null (none).
     */
    public String authToken() throws IOException
    {
        return AuthToken.resolve(authTokenFile);
    }
}
