package io.metrodb.tools.up;

import io.metrodb.gateway.GatewayCommand;
import io.metrodb.gateway.GatewayServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The REST gateway, run by {@code up} in its own JVM rather than a child's: it is a client of the mapds, and a JVM of
 * its own would cost a second of CPU at the start, when the daemons need it most. It starts with them, and its
 * client connects to each mapd once that listens; {@code <dir>/gateway.pid} holds {@code up}'s pid.
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
     * {@link #start()}, completing {@code started} when done (exceptionally with what it threw); for a thread of its
     * own.
     */
    void startInto(final CompletableFuture<Void> started)
    {
        try
        {
            start();
            started.complete(null);
        }
        catch (final Exception | Error e)
        {
            started.completeExceptionally(e);
        }
    }

    /**
     * Waits for {@link #startInto}, rethrowing what {@link #start()} threw.
     */
    static void await(final CompletableFuture<Void> started) throws IOException, InterruptedException
    {
        try
        {
            started.get();
        }
        catch (final ExecutionException e)
        {
            final Throwable cause = e.getCause();
            if (cause instanceof IOException)
            {
                throw (IOException)cause;
            }
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            if (cause instanceof InterruptedException)
            {
                throw (InterruptedException)cause;
            }
            throw new IllegalStateException("the gateway did not start: " + cause, cause);
        }
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
