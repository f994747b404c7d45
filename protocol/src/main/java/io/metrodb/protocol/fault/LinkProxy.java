package io.metrodb.protocol.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on one address standing for one link (e.g. a mapd's connections to one logd), that can be cut:
 * {@link #drop()} closes every connection through it and refuses new ones, {@link #stall()} holds every byte
 * (connections stay open, nothing arrives), until {@link #heal()}. A connection whose target does not answer is
 * closed at once, as with no proxy. One acceptor thread, two pump threads per connection, all daemons; all end at
 * {@link #close()}. For tests and the chaos tool, not for production paths.
 */
public final class LinkProxy implements AutoCloseable
{
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final long ACCEPTOR_JOIN_MS = TimeUnit.SECONDS.toMillis(5);

    private final String name;
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final Object flow = new Object();
    private boolean stalled;
    private volatile boolean dropped;
    private volatile boolean closed;

    /**
     * Listens on an ephemeral port of {@code host}.
     *
     * @param name       the link, for thread names, e.g. {@code mapd1->logd2}.
     * @param host       the address to listen on and connect to (loopback).
     * @param targetPort the port of the server behind it.
     */
    public LinkProxy(final String name, final String host, final int targetPort) throws IOException
    {
        this.name = name;
        this.target = new InetSocketAddress(host, targetPort);
        this.server = new ServerSocket(0, 50, InetAddress.getByName(host));
        this.acceptor = new Thread(this::acceptLoop, "link-proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String name()
    {
        return name;
    }

    /**
     * @return the port to connect to instead of the target's.
     */
    public int port()
    {
        return server.getLocalPort();
    }

    /**
     * Cuts the link: closes every connection and refuses new ones until {@link #heal()}.
     */
    public void drop()
    {
        dropped = true;
        closeAll();
    }

    /**
     * Holds every byte in both directions until {@link #heal()}; connections stay open.
     */
    public void stall()
    {
        synchronized (flow)
        {
            stalled = true;
        }
    }

    /**
     * Ends a {@link #drop()} and a {@link #stall()}.
     */
    public void heal()
    {
        dropped = false;
        synchronized (flow)
        {
            stalled = false;
            flow.notifyAll();
        }
    }

    private void awaitFlowing() throws InterruptedException
    {
        synchronized (flow)
        {
            while (stalled && !closed)
            {
                flow.wait();
            }
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket client;
            try
            {
                client = server.accept();
            }
            catch (final IOException e)
            {
                if (closed)
                {
                    return;
                }
                continue;
            }
            if (dropped)
            {
                quietlyClose(client);
                continue;
            }
            final Socket upstream = new Socket();
            try
            {
                upstream.connect(target, CONNECT_TIMEOUT_MS);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            }
            catch (final IOException e)
            {
                // The server behind is down (or not listening yet): the client sees its connection closed, as with
                // no proxy, instead of waiting for an answer forever.
                quietlyClose(client);
                quietlyClose(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            if (dropped)
            {
                closeAll();
                continue;
            }
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(final Socket from, final Socket to)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[64 * 1024];
            try
            {
                final InputStream in = from.getInputStream();
                final OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0)
                {
                    awaitFlowing();
                    if (dropped || closed)
                    {
                        break;
                    }
                    out.write(buffer, 0, n);
                }
            }
            catch (final IOException | InterruptedException e)
            {
                // the cut, or either side closed it
            }
            finally
            {
                quietlyClose(from);
                quietlyClose(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "link-proxy-pump-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void closeAll()
    {
        for (final Socket socket : sockets)
        {
            quietlyClose(socket);
        }
        sockets.clear();
    }

    private static void quietlyClose(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException e)
        {
            // closing anyway
        }
    }

    /**
     * Stops accepting, closes every connection (their pump threads end with them) and waits for the acceptor.
     */
    @Override
    public void close()
    {
        closed = true;
        heal();
        try
        {
            server.close();
        }
        catch (final IOException e)
        {
            // closing anyway
        }
        closeAll();
        try
        {
            acceptor.join(ACCEPTOR_JOIN_MS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
