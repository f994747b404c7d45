package io.metrodb.tools.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback standing for one link (a mapd's connections to one logd), that can be cut: {@link #drop()}
 * closes every connection through it and refuses new ones, {@link #stall()} holds every byte (connections stay open,
 * nothing arrives), until {@link #heal()}. Two daemon threads per connection; all end at {@link #close()}.
 */
final class LinkProxy implements Link
{
    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final String name;
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object flow = new Object();
    private boolean stalled;
    private volatile boolean dropped;
    private volatile boolean closed;

    /**
     * @param name   the link, for thread names and messages, e.g. {@code mapd1->logd2}.
     * @param host   the loopback address to listen on and connect to.
     * @param target the port of the daemon behind it.
     */
    LinkProxy(final String name, final String host, final int target) throws IOException
    {
        this.name = name;
        this.target = new InetSocketAddress(host, target);
        this.server = new ServerSocket(0, 50, InetAddress.getByName(host));
        final Thread acceptor = new Thread(this::acceptLoop, "chaos-proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @Override
    public String name()
    {
        return name;
    }

    int port()
    {
        return server.getLocalPort();
    }

    /** Cuts the link: closes every connection and refuses new ones until {@link #heal()}. */
    @Override
    public void drop()
    {
        dropped = true;
        closeAll();
    }

    /** Holds every byte in both directions until {@link #heal()}; connections stay open. */
    @Override
    public void stall()
    {
        synchronized (flow)
        {
            stalled = true;
        }
    }

    /** Ends a {@link #drop()} or {@link #stall()}. */
    @Override
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
                // The daemon behind is down: the client sees its connection closed, as with no proxy.
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
        }, "chaos-proxy-pump-" + name);
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
    }
}
