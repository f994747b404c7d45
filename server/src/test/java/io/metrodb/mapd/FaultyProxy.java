package io.metrodb.mapd;

import io.metrodb.testing.TestCluster;
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
 * A TCP proxy on loopback that injects partitions: {@link #partition()} cuts every connection through it and
 * refuses new ones until {@link #heal()}; {@link #stall()} holds every byte read (connections stay open) until
 * {@link #resume()}. Threads are daemons and all end at {@link #close()}.
 */
final class FaultyProxy implements AutoCloseable
{
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final Object flow = new Object();
    private boolean stalled;
    private volatile boolean partitioned;
    private volatile boolean closed;

    FaultyProxy(final int targetPort) throws IOException
    {
        target = new InetSocketAddress(TestCluster.HOST, targetPort);
        server = new ServerSocket(0, 50, InetAddress.getByName(TestCluster.HOST));
        acceptor = new Thread(this::acceptLoop, "faulty-proxy-" + targetPort);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return server.getLocalPort();
    }

    void partition()
    {
        partitioned = true;
        closeAll();
    }

    void heal()
    {
        partitioned = false;
    }

    void stall()
    {
        synchronized (flow)
        {
            stalled = true;
        }
    }

    void resume()
    {
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
            try
            {
                final Socket client = server.accept();
                if (partitioned)
                {
                    client.close();
                    continue;
                }
                final Socket upstream = new Socket();
                try
                {
                    upstream.connect(target, 5_000);
                }
                catch (final IOException e)
                {
                    // Target not listening (yet): close the client too, or it would wait for an answer forever.
                    quietlyClose(client);
                    quietlyClose(upstream);
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            }
            catch (final IOException e)
            {
                if (closed)
                {
                    return;
                }
            }
        }
    }

    private void pump(final Socket from, final Socket to)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int n;
                while ((n = in.read(buffer)) >= 0)
                {
                    awaitFlowing();
                    out.write(buffer, 0, n);
                }
            }
            catch (final IOException | InterruptedException ignored)
            {
                // the partition or the peer closed it
            }
            finally
            {
                quietlyClose(from);
                quietlyClose(to);
            }
        }, "faulty-proxy-pump");
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
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    @Override
    public void close() throws Exception
    {
        closed = true;
        resume();
        server.close();
        closeAll();
        acceptor.join(5_000);
    }
}
