package io.metrodb.tools.up;

import io.metrodb.gateway.GatewayCommand;
import io.metrodb.gateway.GatewayServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The REST gateway, run by {@code up} in its own JVM rather than a child's: it is a client of the mapds, and a JVM of
 * its own would cost a second of CPU at the start, when the daemons need it most. It starts once the mapds listen,
 * so its connections to them come up at once; {@code <dir>/gateway.pid} holds {@code up}'s pid.
 */
final class InProcessGateway implements AutoCloseable
{
    private final Path dir;
    private final NodeSpec node;
    private GatewayServer server;

    /**
     * @param dir  the cluster's directory
     * @param node the gateway's node, or null for none ({@code --no-gateway})
     */
    InProcessGateway(final Path dir, final NodeSpec node)
    {
        this.dir = dir;
        this.node = node;
    }

    /**
     * Starts it, if there is one.
     *
     * @throws IOException           when its pid file cannot be written
     * @throws IllegalStateException when its port cannot be bound, naming it
     */
    synchronized void start() throws IOException, InterruptedException
    {
        if (node == null || server != null)
        {
            return;
        }
        server = GatewayCommand.start(node.args());
        Files.writeString(Supervisor.pidFile(dir, node.name()), ProcessHandle.current().pid() + "\n",
            StandardCharsets.US_ASCII);
    }

    /**
     * Stops it (its calls in flight fail) and removes its pid file. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (server == null)
        {
            return;
        }
        server.close();
        server = null;
        try
        {
            Files.deleteIfExists(Supervisor.pidFile(dir, node.name()));
        }
        catch (final IOException e)
        {
            System.out.println("metrodb up: cannot remove " + Supervisor.pidFile(dir, node.name()) + ": " +
                e.getMessage());
        }
    }
}
