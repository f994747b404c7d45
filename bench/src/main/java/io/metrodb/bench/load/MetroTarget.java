package io.metrodb.bench.load;

import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;
import io.metrodb.client.ReplyHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MetroDB cluster through the Java SDK's callback path ({@link ReplyHandler}, no future per call). Each load
 * connection is a {@link MetroClient} of its own, pinned to the connection's event loop, with one connection to
 * each mapd: a request goes to its key's home mapd, as an application's would.
 */
final class MetroTarget implements Target
{
    /** The scheme of {@code --target metrodb://HOST:PORT[,HOST:PORT...]}. */
    static final String SCHEME = "metrodb://";

    private final String[] mapds;
    private final long requestTimeoutMs;
    private final List<MetroClient> clients = new ArrayList<>();

    /**
     * @param mapds            {@code host:port} of each mapd.
     * @param requestTimeoutMs the SDK's request timeout.
     */
    MetroTarget(final String[] mapds, final long requestTimeoutMs)
    {
        this.mapds = mapds.clone();
        this.requestTimeoutMs = requestTimeoutMs;
    }

    @Override
    public String describe()
    {
        return SCHEME + String.join(",", mapds) + " (Java SDK)";
    }

    @Override
    public TargetConnection connect(final int index, final EventLoop loop, final long timeoutMs, final int inFlight)
        throws InterruptedException
    {
        final MetroClient client = MetroClient.builder(mapds).eventLoopGroup(loop).connectionsPerNode(1)
            .maxInFlight(Math.max(inFlight, 1)).requestTimeoutMs(requestTimeoutMs).build();
        synchronized (clients)
        {
            clients.add(client);
        }
        if (!client.awaitConnected(mapds.length, timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException("connection " + index + ": only " + client.readyConnections() +
                " of the " + mapds.length + " mapds " + String.join(",", mapds) + " answered within " +
                timeoutMs + " ms (is the cluster up?)");
        }
        return new Connection(client);
    }

    @Override
    public void close()
    {
        synchronized (clients)
        {
            for (final MetroClient client : clients)
            {
                client.close();
            }
            clients.clear();
        }
    }

    private static final class Connection implements TargetConnection
    {
        private final MetroClient client;

        Connection(final MetroClient client)
        {
            this.client = client;
        }

        private static ReplyHandler handler(final Request request)
        {
            Object handler = request.attachment;
            if (handler == null)
            {
                handler = new Reply(request);
                request.attachment = handler;
            }
            return (ReplyHandler)handler;
        }

        @Override
        public void get(final Request request)
        {
            client.get(request.key, handler(request));
        }

        @Override
        public void set(final Request request, final byte[] value)
        {
            client.set(request.key, value, handler(request));
        }

        @Override
        public void setSafe(final Request request, final byte[] value)
        {
            client.setSafe(request.key, value, handler(request));
        }

        @Override
        public void del(final Request request)
        {
            client.delete(request.key, handler(request));
        }

        @Override
        public void flush()
        {
            // The SDK flushes the writes of each event-loop turn itself.
        }

        @Override
        public void close()
        {
            client.close();
        }
    }

    /**
     * The SDK's outcomes of one slot's requests, told to the slot.
     */
    private static final class Reply implements ReplyHandler
    {
        private final Request request;

        Reply(final Request request)
        {
            this.request = request;
        }

        @Override
        public void onValue(final ByteBuf buffer, final int index, final int length)
        {
            request.succeeded();
        }

        @Override
        public void onWritten(final long version, final int versionNode, final int replicas, final int peersAcked,
            final int peersLive)
        {
            request.succeeded();
        }

        @Override
        public void onFound()
        {
            request.succeeded();
        }

        @Override
        public void onNotFound()
        {
            request.missed();
        }

        @Override
        public void onError(final MetroException error)
        {
            request.failed(error.getClass().getSimpleName() + ": " + error.getMessage());
        }
    }
}
