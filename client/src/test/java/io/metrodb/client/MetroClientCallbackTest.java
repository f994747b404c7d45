package io.metrodb.client;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The callback path ({@link ReplyHandler}, no future per call) against a real 3-logd, 3-mapd cluster in this JVM.
 */
class MetroClientCallbackTest
{
    @TempDir
    static Path root;

    private static final int MAPDS = 3;

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(MAPDS).firstMapdId(1)
            .requestTimeoutMs(10_000).peerTimeoutMs(10_000).awaitPeers(true).start();
    }

    @AfterAll
    static void stopCluster()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldAnswerEveryOperationThroughOneReusedHandler() throws Exception
    {
        final Recorder handler = new Recorder();
        try (MetroClient client = MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(10_000).build())
        {
            final byte[] key = bytes("cb:1");
            handler.expect("written", () -> client.set(key, bytes("one"), handler));
            assertEquals(2, handler.replicas, "SET written to RF logds");
            final long firstVersion = handler.version;
            assertTrue(firstVersion > 0);
            assertTrue(handler.thread.getName().startsWith(client.threadNamePrefix()),
                "told on the client's I/O thread, was " + handler.thread.getName());

            handler.expect("value", () -> client.get(key, handler));
            assertArrayEquals(bytes("one"), handler.value);

            handler.expect("written", () -> client.setSafe(key, bytes("two"), handler));
            assertEquals(2, handler.replicas);
            assertEquals(MAPDS - 1, handler.peersAcked, "SETSAFE acknowledged by both live peers");
            assertNotEquals(firstVersion, handler.version, "a new version");
            handler.expect("value", () -> client.get(key, handler));
            assertArrayEquals(bytes("two"), handler.value);
            assertArrayEquals(bytes("two"), client.get(key), "the blocking form sees the same value");

            handler.expect("found", () -> client.exists(key, handler));
            handler.expect("found", () -> client.delete(key, handler));
            handler.expect("notFound", () -> client.get(key, handler));
            handler.expect("notFound", () -> client.exists(key, handler));
            handler.expect("notFound", () -> client.delete(key, handler));

            handler.expect("written", () -> client.set(key, new byte[0], handler));
            handler.expect("value", () -> client.get(key, handler));
            assertEquals(0, handler.value.length, "empty values are values");
            handler.expect("found", () -> client.deleteSafe(key, handler));
            handler.expect("notFound", () -> client.get(key, handler));

            handler.expect("error", () -> client.set(key, new byte[TestCluster.MAX_VALUE + 1], handler));
            assertInstanceOf(MetroProtocolException.class, handler.error);
            assertEquals(StatusCodes.VALUE_TOO_LARGE, handler.error.status(), handler.error.getMessage());
            handler.expect("notFound", () -> client.get(key, handler));
            assertEquals(0, client.inFlight(), "every call gave back its in-flight permit");
        }
    }

    @Test
    void shouldReportAClosedClientToTheHandlerOnTheCallingThread()
    {
        final Recorder handler = new Recorder();
        final MetroClient client = MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(10_000).build();
        client.close();
        client.get(bytes("cb:closed"), handler);
        assertEquals("error", handler.outcome);
        assertInstanceOf(MetroUnavailableException.class, handler.error);
        assertSame(Thread.currentThread(), handler.thread);
    }

    @Test
    void shouldKeepTheConnectionWhenAHandlerThrows() throws Exception
    {
        final Recorder handler = new Recorder();
        try (MetroClient client = MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(10_000).build())
        {
            final byte[] key = bytes("cb:throws");
            handler.expect("written", () -> client.set(key, bytes("x"), handler));
            final int home = MetroClient.homeNode(key, MAPDS);
            final MetroLink link = client.linksOf(home)[0];
            final long connects = link.connection.connects();
            final Recorder thrower = new Recorder()
            {
                @Override
                public void onValue(final ByteBuf buffer, final int index, final int length)
                {
                    super.onValue(buffer, index, length);
                    throw new IllegalStateException("a handler that throws (expected in this test)");
                }
            };
            thrower.expect("value", () -> client.get(key, thrower));
            handler.expect("value", () -> client.get(key, handler));
            assertArrayEquals(bytes("x"), handler.value);
            // Closed, the connection is either not ready yet again or reconnected: one of the two shows it.
            assertTrue(link.ready, "the handler's exception closed the connection");
            assertEquals(connects, link.connection.connects(), "the handler's exception closed the connection");
            assertEquals(0, client.inFlight());
        }
    }

    /**
     * Steady-state callback calls allocate (nearly) nothing on the calling thread, while the same number of future
     * calls allocates at least a future and a call each: the probe must see the latter, or it proves nothing.
     */
    @Test
    void shouldNotAllocateAFuturePerCallInSteadyState() throws Exception
    {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
            "needs com.sun.management.ThreadMXBean");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final int window = 32;
        final int calls = 4_000;
        try (MetroClient client = MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(10_000)
            .maxInFlight(64).build())
        {
            final Counter handler = new Counter();
            final byte[] key = bytes("cb:alloc");
            final byte[] value = bytes("v");
            client.set(key, value);
            // Warm up: compiles the path and fills the pool of calls.
            runWindowed(client, handler, key, value, calls / 2, window);

            final long before = threads.getCurrentThreadAllocatedBytes();
            runWindowed(client, handler, key, value, calls, window);
            final long callbackBytes = threads.getCurrentThreadAllocatedBytes() - before;

            final long futureBefore = threads.getCurrentThreadAllocatedBytes();
            final CompletableFuture<?>[] futures = new CompletableFuture<?>[window];
            for (int i = 0; i < calls; i++)
            {
                final CompletableFuture<?> previous = futures[i % window];
                if (previous != null)
                {
                    previous.get(30, TimeUnit.SECONDS);
                }
                futures[i % window] = i % 2 == 0 ? client.getAsync(key) : client.setAsync(key, value);
            }
            final long futureBytes = threads.getCurrentThreadAllocatedBytes() - futureBefore;
            for (final CompletableFuture<?> future : futures)
            {
                future.get(30, TimeUnit.SECONDS);
            }

            System.out.println("allocated on the calling thread for " + calls + " calls: callback path " +
                callbackBytes + " bytes, future path " + futureBytes + " bytes");
            final long limit = 16L * calls;
            assertTrue(futureBytes > limit, "the probe sees the future path's allocation: " + futureBytes +
                " bytes for " + calls + " calls");
            assertTrue(callbackBytes < limit, "callback path allocated " + callbackBytes + " bytes for " + calls +
                " calls on the calling thread (future path: " + futureBytes + ")");
            assertEquals(0, handler.errors.get(), "no call failed");
        }
    }

    /**
     * Alternates GET and SET on the callback path with at most {@code window} in flight, waiting without
     * allocating (the handler counts, this thread parks briefly).
     */
    private static void runWindowed(
        final MetroClient client, final Counter handler, final byte[] key, final byte[] value, final int calls,
        final int window)
    {
        final long start = handler.done.get();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 0; i < calls; i++)
        {
            while (i - (handler.done.get() - start) >= window)
            {
                waitUntil(deadlineNs, handler, start, i);
            }
            if (i % 2 == 0)
            {
                client.get(key, handler);
            }
            else
            {
                client.set(key, value, handler);
            }
        }
        while (handler.done.get() - start < calls)
        {
            waitUntil(deadlineNs, handler, start, calls);
        }
    }

    private static void waitUntil(final long deadlineNs, final Counter handler, final long start, final int issued)
    {
        if (System.nanoTime() - deadlineNs >= 0)
        {
            throw new AssertionError("only " + (handler.done.get() - start) + " of " + issued +
                " callback calls answered within 120 s");
        }
        LockSupport.parkNanos(20_000);
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Counts answers without allocating.
     */
    private static final class Counter implements ReplyHandler
    {
        final AtomicLong done = new AtomicLong();
        final AtomicLong errors = new AtomicLong();

        @Override
        public void onValue(final ByteBuf buffer, final int index, final int length)
        {
            done.incrementAndGet();
        }

        @Override
        public void onWritten(
            final long version, final int versionNode, final int replicas, final int peersAcked, final int peersLive)
        {
            done.incrementAndGet();
        }

        @Override
        public void onFound()
        {
            done.incrementAndGet();
        }

        @Override
        public void onNotFound()
        {
            done.incrementAndGet();
        }

        @Override
        public void onError(final MetroException error)
        {
            errors.incrementAndGet();
            done.incrementAndGet();
        }
    }

    /**
     * Records the last outcome; reused for every call of a test.
     */
    private static class Recorder implements ReplyHandler
    {
        volatile String outcome;
        volatile Thread thread;
        volatile byte[] value;
        volatile long version;
        volatile int replicas;
        volatile int peersAcked;
        volatile MetroException error;

        void expect(final String expected, final Runnable call) throws Exception
        {
            outcome = null;
            call.run();
            Await.until(expected, 30_000, () -> outcome != null);
            assertEquals(expected, outcome, error == null ? "" : error.toString());
        }

        @Override
        public void onValue(final ByteBuf buffer, final int index, final int length)
        {
            value = ByteBufUtil.getBytes(buffer, index, length);
            told("value");
        }

        @Override
        public void onWritten(
            final long version, final int versionNode, final int replicas, final int peersAcked, final int peersLive)
        {
            this.version = version;
            this.replicas = replicas;
            this.peersAcked = peersAcked;
            told("written");
        }

        @Override
        public void onFound()
        {
            told("found");
        }

        @Override
        public void onNotFound()
        {
            told("notFound");
        }

        @Override
        public void onError(final MetroException error)
        {
            this.error = error;
            told("error");
        }

        private void told(final String what)
        {
            thread = Thread.currentThread();
            outcome = what;
        }
    }
}
