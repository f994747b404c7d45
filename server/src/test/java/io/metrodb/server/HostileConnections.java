package io.metrodb.server;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.GoldenVectors;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread driving every hostile connection, non-blocking: each round a connection writes something hostile
 * (or nothing), reads and drops what came back, and is opened again once the server closed it.
 */
final class HostileConnections implements Runnable
{
    private final SplittableRandom random;
    private final int[] ports;
    private final SocketChannel[] channels;
    private final long frameTarget;
    private final long framesPerSecond;
    private final List<byte[]> mutated = new ArrayList<>();
    private final ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
    private final AtomicBoolean stopped = new AtomicBoolean();
    final AtomicLong frames = new AtomicLong();
    final AtomicLong connects = new AtomicLong();
    final AtomicReference<Throwable> error = new AtomicReference<>();

    HostileConnections(
        final long seed, final int[] ports, final int connections, final long frameTarget,
        final long framesPerSecond)
    {
        this.framesPerSecond = framesPerSecond;
        this.random = new SplittableRandom(seed);
        this.ports = ports;
        this.channels = new SocketChannel[connections];
        this.frameTarget = frameTarget;
        for (final GoldenVectors.Example example : RequestFieldFuzzTest.requests())
        {
            if (example.name().startsWith("cluster-view-push"))
            {
                continue; // a pushed view may mark the logds DOWN: the real client's writes would be refused
            }
            final ByteBuf valid = example.encode();
            final List<RequestFieldFuzzTest.Mutation> mutations = new ArrayList<>();
            RequestFieldFuzzTest.mutate(example.name(), valid, mutations);
            valid.readerIndex(0);
            mutations.add(new RequestFieldFuzzTest.Mutation(example.name(), valid.retain()));
            valid.release();
            for (final RequestFieldFuzzTest.Mutation mutation : mutations)
            {
                final ByteBuf frame = mutation.frame();
                final byte[] bytes = new byte[frame.readableBytes()];
                frame.getBytes(frame.readerIndex(), bytes);
                frame.release();
                if (bytes[FrameHeader.OPCODE_OFFSET] != Opcodes.CLUSTER_VIEW)
                {
                    mutated.add(bytes);
                }
            }
        }
    }

    void stop()
    {
        stopped.set(true);
    }

    @Override
    public void run()
    {
        final long startNs = System.nanoTime();
        try
        {
            while (!stopped.get() && frames.get() < frameTarget)
            {
                for (int i = 0; i < channels.length && !stopped.get(); i++)
                {
                    while (framesPerSecond > 0 &&
                        frames.get() * 1_000_000_000L / framesPerSecond > System.nanoTime() - startNs)
                    {
                        // The pace, not a wait for an event.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                    step(i);
                }
            }
        }
        catch (final Throwable t)
        {
            error.set(t);
        }
        finally
        {
            for (final SocketChannel channel : channels)
            {
                closeQuietly(channel);
            }
        }
    }

    private void step(final int i) throws IOException
    {
        SocketChannel channel = channels[i];
        if (channel == null || !channel.isOpen())
        {
            channel = SocketChannel.open(new InetSocketAddress(TestCluster.HOST, ports[i % ports.length]));
            channel.configureBlocking(false);
            channels[i] = channel;
            connects.incrementAndGet();
            if (i % 10 == 0)
            {
                return; // an idle connection, until the server closes it (handshake timeout)
            }
            final ByteBuf opening = Unpooled.buffer();
            Preface.write(opening);
            if (random.nextInt(4) != 0)
            {
                HelloRequest.encode(opening, 0, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT,
                    Roles.CLIENT, 0, null);
            }
            write(channel, opening.nioBuffer());
        }
        try
        {
            sink.clear();
            if (channel.read(sink) < 0)
            {
                channel.close();
                return;
            }
            if (i % 10 == 0)
            {
                return;
            }
            final int kind = random.nextInt(100);
            if (kind < 70)
            {
                final byte[] frame = mutated.get(random.nextInt(mutated.size()));
                write(channel, ByteBuffer.wrap(frame));
            }
            else if (kind < 80)
            {
                final byte[] garbage = new byte[1 + random.nextInt(256)];
                random.nextBytes(garbage);
                write(channel, ByteBuffer.wrap(garbage));
            }
            else if (kind < 90)
            {
                // A frame cut short: the rest never comes (the frame deadline drops it).
                final byte[] frame = mutated.get(random.nextInt(mutated.size()));
                write(channel, ByteBuffer.wrap(Arrays.copyOf(frame, 1 + random.nextInt(frame.length))));
            }
            else if (kind < 95)
            {
                channel.close(); // opened and dropped
            }
            frames.incrementAndGet();
        }
        catch (final IOException e)
        {
            closeQuietly(channel); // reset by the server: opened again next round
        }
    }

    private static void write(final SocketChannel channel, final ByteBuffer bytes) throws IOException
    {
        channel.write(bytes); // whatever does not fit the socket buffer is dropped: framing breaks, by intent
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
        }
    }
}
