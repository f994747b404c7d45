package io.metrodb.bench.logd;

import io.metrodb.bench.support.PeerConnections;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Mode {@code server}: N durable APPENDs in flight through a logd server, over C connections on one client event
 * loop; each answer sends the next APPEND from the answer's callback.
 */
final class ServerDurableLoad implements DurableLoad, ResponseListener
{
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    private final EventLoop loop;
    private final InetSocketAddress address;
    private final int entryLength;
    private final int inFlight;
    private final Window window;
    private final PeerConnection[] connections;
    private final ByteBuf entry;
    private final long[] sentNs;
    private final Histogram latencyNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final RequestWriter writer;
    private int outstanding;
    private long completedInWindow;

    ServerDurableLoad(final EventLoop loop, final InetSocketAddress address, final int entryLength,
        final int inFlight, final int connectionCount, final Window window)
    {
        this.loop = loop;
        this.address = address;
        this.entryLength = entryLength;
        this.inFlight = inFlight;
        this.window = window;
        this.connections = new PeerConnection[connectionCount];
        this.sentNs = new long[inFlight];
        entry = PooledByteBufAllocator.DEFAULT.directBuffer(entryLength);
        for (int i = 0; i < entryLength; i++)
        {
            entry.writeByte(i * 31);
        }
        writer = (out, requestId) -> AppendRequest.encode(out, requestId, true, entry, 0, entryLength);
    }

    @Override
    public void start()
    {
        final int maxInFlight = Integer.highestOneBit(Math.max(1, inFlight - 1)) << 1;
        for (int i = 0; i < connections.length; i++)
        {
            connections[i] = PeerConnections.connect(loop, address,
                new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
                maxInFlight, REQUEST_TIMEOUT_MS, () ->
                {
                    if (!done.isDone())
                    {
                        done.completeExceptionally(new IllegalStateException("connection lost"));
                    }
                });
        }
        loop.execute(() ->
        {
            outstanding = inFlight;
            loop.schedule(() ->
            {
                final long nowNs = System.nanoTime();
                for (int slot = 0; slot < inFlight; slot++)
                {
                    send(slot, nowNs);
                }
            }, Math.max(0, window.startNs() - System.nanoTime()), TimeUnit.NANOSECONDS);
        });
    }

    private void send(final int slot, final long nowNs)
    {
        sentNs[slot] = nowNs;
        final long id = connections[slot % connections.length].send(
            writer, this, slot, FrameHeader.HEADER_LENGTH + AppendRequest.ENTRY_OFFSET + entryLength);
        if (id < 0)
        {
            done.completeExceptionally(new IllegalStateException("send refused: " + id));
        }
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        if (FrameHeader.status(frame, at) != StatusCodes.OK)
        {
            done.completeExceptionally(new IllegalStateException("APPEND answered " + FrameHeader.status(frame, at)));
            return;
        }
        final int slot = (int)token;
        final long nowNs = System.nanoTime();
        if (window.inWindow(nowNs))
        {
            completedInWindow++;
            latencyNs.recordValue(Math.min(nowNs - sentNs[slot], HIGHEST_TRACKABLE_NS));
        }
        if (window.over(nowNs))
        {
            if (--outstanding == 0)
            {
                done.complete(null);
            }
        }
        else
        {
            send(slot, nowNs);
        }
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        done.completeExceptionally(new IllegalStateException("APPEND failed with status " + status));
    }

    @Override
    public void finish() throws Exception
    {
        done.get(TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NS), TimeUnit.SECONDS);
    }

    @Override
    public long completedInWindow()
    {
        return completedInWindow;
    }

    @Override
    public Histogram latency()
    {
        return latencyNs;
    }

    @Override
    public void close()
    {
        for (final PeerConnection connection : connections)
        {
            if (connection != null)
            {
                connection.close();
            }
        }
        entry.release();
    }
}
