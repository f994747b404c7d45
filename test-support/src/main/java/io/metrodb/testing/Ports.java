package io.metrodb.testing;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ports for tests without races. A server that can be asked for its port binds port 0 and is asked. When nodes must
 * be told each other's ports before they start (peers), {@link #unused} picks them and {@link #retryOnBindFailure}
 * starts over on new ones if another process took one in between.
 */
public final class Ports
{
    /** Every test server listens on loopback. */
    public static final String HOST = "127.0.0.1";
    /** Attempts before a bind failure is the test's failure. */
    public static final int BIND_ATTEMPTS = 5;

    /** A start-up that may fail to bind a port picked in advance. */
    @FunctionalInterface
    public interface Startup<T>
    {
        T start() throws Exception;
    }

    private Ports()
    {
    }

    /**
     * Ports that were free a moment ago, distinct; by the time a server binds one, another process may have it:
     * only inside {@link #retryOnBindFailure}.
     */
    public static int[] unused(final int count) throws IOException
    {
        final int[] ports = new int[count];
        final List<ServerSocket> held = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
        }
        finally
        {
            for (final ServerSocket socket : held)
            {
                socket.close();
            }
        }
        return ports;
    }

    /**
     * Runs {@code startup} (which picks its ports with {@link #unused} and cleans up after itself when it throws)
     * again while it fails to bind a port in use (see {@link #isBindFailure}), up to {@link #BIND_ATTEMPTS} times.
     */
    public static <T> T retryOnBindFailure(final Startup<T> startup) throws Exception
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return startup.start();
            }
            catch (final Exception e)
            {
                if (attempt == BIND_ATTEMPTS || !isBindFailure(e))
                {
                    throw e;
                }
            }
        }
    }

    /**
     * @return whether {@code failure} or one of its causes is a failure to bind a port in use.
     */
    public static boolean isBindFailure(final Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause())
        {
            // Netty's epoll transport reports EADDRINUSE as a plain IOException with the system's message; a daemon
            // in a child JVM prints it in its own words.
            if (cause instanceof BindException || (cause.getMessage() != null &&
                cause.getMessage().toLowerCase(Locale.ROOT).contains("address already in use")))
            {
                return true;
            }
        }
        return false;
    }
}
