package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.netty.ErrorReplies;
import io.metrodb.testing.FakeServer;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A logd that answers STORAGE_FULL is not tried again by the same write: the write goes to the other logds, and when
 * none can take it, it waits out {@code --logd-wait-ms} without sending the full logd another append every tick,
 * then answers STORAGE_FULL. A fake logd whose disk is full and a fake one that takes every record.
 */
class FullLogdSkipTest
{
    private static final long WAIT_MS = 600;

    @TempDir
    Path dir;

    private FakeServer fullLogd;
    private ForceHoldingLogd goodLogd;
    private ForceHoldingLogd spareLogd;
    private MapdServer mapd;
    private final AtomicInteger fullAppends = new AtomicInteger();

    @AfterEach
    void stop()
    {
        if (mapd != null)
        {
            mapd.close();
        }
        if (fullLogd != null)
        {
            fullLogd.close();
        }
        if (goodLogd != null)
        {
            goodLogd.close();
        }
        if (spareLogd != null)
        {
            spareLogd.close();
        }
    }

    @Test
    void shouldNotRetryAFullLogdForTheRestOfTheWait() throws Exception
    {
        fullLogd = FakeServer.start(Roles.LOGD, 1, null, new DiskFull());
        goodLogd = new ForceHoldingLogd(2);
        startMapd(List.of(fullLogd.address().getPort(), goodLogd.address().getPort()));

        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final long start = System.nanoTime();
            final MapdClient.Reply reply = client.set("k", bytes("v"));
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(StatusCodes.STORAGE_FULL, reply.status(), StatusCodes.name(reply.status()) + " " +
                reply.message());
            assertTrue(reply.message().contains("after waiting"), "the write waited for a logd: " + reply.message());
            assertTrue(tookMs >= WAIT_MS, "answered after its wait, not before: " + tookMs + " ms");
            // Before: the full logd was sent the record again every 20 ms of the wait (about 30 appends here).
            assertEquals(1, fullAppends.get(), "appends the full logd got from the one write");
            assertEquals(1, mapd.counters().writesWaitedForLogds());
        }
    }

    @Test
    void shouldWriteToTheOtherLogdsWhenOneIsFull() throws Exception
    {
        fullLogd = FakeServer.start(Roles.LOGD, 1, null, new DiskFull());
        goodLogd = new ForceHoldingLogd(2);
        spareLogd = new ForceHoldingLogd(3);
        startMapd(List.of(fullLogd.address().getPort(), goodLogd.address().getPort(),
            spareLogd.address().getPort()));

        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final int writes = 20;
            for (int i = 0; i < writes; i++)
            {
                final MapdClient.Reply reply = client.set("k" + i, bytes("v" + i));
                assertEquals(StatusCodes.OK, reply.status(), "k" + i + ": " + reply.message());
            }
            assertEquals(writes, goodLogd.appends(), "every record on the two logds with room");
            assertEquals(writes, spareLogd.appends(), "every record on the two logds with room");
            assertTrue(fullAppends.get() <= writes, "each write tried the full logd at most once: " +
                fullAppends.get());
            assertEquals(0, mapd.counters().writesWaitedForLogds(), "no write waited: two logds had room");
        }
    }

    private void startMapd(final List<Integer> ports) throws Exception
    {
        final List<java.net.InetSocketAddress> logds = new java.util.ArrayList<>();
        for (final int port : ports)
        {
            logds.add(new java.net.InetSocketAddress(TestCluster.HOST, port));
        }
        final MapdConfig config = new MapdConfig(TestCluster.HOST, 0, dir.resolve("mapd"), 7, logds, 2,
            TestCluster.MAX_VALUE, null, 5_000, 0, 0).withLocalReads(false).logdWaitMs(WAIT_MS);
        mapd = MapdServer.start(config, false);
        mapd.whenLogdsHealthy(ports.size()).get(20, TimeUnit.SECONDS);
    }

    /** A logd whose disk is full: every APPEND is answered STORAGE_FULL. */
    @ChannelHandler.Sharable
    private final class DiskFull extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                final boolean append = FrameHeader.opcode(frame, frame.readerIndex()) == Opcodes.APPEND;
                fullAppends.addAndGet(append ? 1 : 0);
                ErrorReplies.reply(ctx, frame, append ? StatusCodes.STORAGE_FULL : StatusCodes.UNKNOWN_OPCODE,
                    append ? "disk full" : "not served by this fake");
                ctx.flush();
            }
            finally
            {
                frame.release();
            }
        }
    }
}
