package io.metrodb.client;

import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.metrodb.client.MetroClientClusterTest.bytes;
import static io.metrodb.client.MetroClientClusterTest.hasThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timeouts, bounds, refused handshakes and close(), against a server that answers HELLO and nothing else.
 */
class MetroClientFailureTest
{
    private static final long TIMEOUT_MS = 300;
    /** Slack for a slow, shared box; a timeout must still be far from "hangs". */
    private static final long SLACK_MS = 5_000;

    @Test
    void shouldFailWithTimeoutWhenServerNeverAnswers() throws Exception
    {
        try (FakeMapd server = new FakeMapd(null);
            MetroClient client = MetroClient.builder(List.of(server.address())).requestTimeoutMs(TIMEOUT_MS).build())
        {
            final long startNs = System.nanoTime();
            final List<CompletableFuture<byte[]>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++)
            {
                calls.add(client.getAsync(bytes("k" + i)));
            }
            for (final CompletableFuture<byte[]> call : calls)
            {
                final ExecutionException e =
                    assertThrows(ExecutionException.class, () -> call.get(TIMEOUT_MS + SLACK_MS, TimeUnit.MILLISECONDS));
                assertInstanceOf(MetroTimeoutException.class, e.getCause());
            }
            final long asyncMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertTrue(asyncMs >= TIMEOUT_MS, "failed before the timeout: " + asyncMs + " ms");
            assertTrue(asyncMs < 2 * TIMEOUT_MS + SLACK_MS, "took " + asyncMs + " ms");

            final long syncStartNs = System.nanoTime();
            final MetroTimeoutException e = assertThrows(MetroTimeoutException.class, () -> client.set("k", "v"));
            assertEquals(io.metrodb.protocol.StatusCodes.TIMEOUT, e.status());
            final long syncMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - syncStartNs);
            assertTrue(syncMs >= TIMEOUT_MS && syncMs < 2 * TIMEOUT_MS + SLACK_MS, "took " + syncMs + " ms");
            assertEquals(101, server.swallowed.get(), "every request reached the server once, never retried");
            assertEquals(0, client.inFlight());
        }
    }

    @Test
    void shouldFailFastPastTheInFlightBoundAndFailInFlightCallsOnClose() throws Exception
    {
        try (FakeMapd server = new FakeMapd(null))
        {
            final MetroClient client = MetroClient.builder(List.of(server.address()))
                .requestTimeoutMs(60_000).maxInFlight(4).overflowPolicy(OverflowPolicy.FAIL_FAST).build();
            final List<CompletableFuture<Boolean>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                calls.add(client.existsAsync(bytes("k" + i)));
            }
            final ExecutionException overloaded =
                assertThrows(ExecutionException.class, () -> client.existsAsync("k4").get(5, TimeUnit.SECONDS));
            assertInstanceOf(MetroOverloadedException.class, overloaded.getCause());
            assertThrows(MetroOverloadedException.class,
                () -> client.getAll(List.of(bytes("a"), bytes("b"))));
            assertEquals(4, client.inFlight());

            client.close();
            for (final CompletableFuture<Boolean> call : calls)
            {
                final ExecutionException e =
                    assertThrows(ExecutionException.class, () -> call.get(SLACK_MS, TimeUnit.MILLISECONDS));
                assertInstanceOf(MetroUnavailableException.class, e.getCause());
            }
            assertEquals(0, client.inFlight());
        }
    }

    @Test
    void shouldReportARefusedTokenAsAuthFailure() throws Exception
    {
        try (FakeMapd server = new FakeMapd("secret");
            MetroClient client = MetroClient.builder(List.of(server.address()))
                .requestTimeoutMs(10_000).authToken("wrong").build())
        {
            final long startNs = System.nanoTime();
            final MetroAuthException e = assertThrows(MetroAuthException.class, () -> client.get("k"));
            assertEquals(io.metrodb.protocol.StatusCodes.AUTH_FAILED, e.status());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) < 10_000 + SLACK_MS);
        }
    }

    @Test
    void shouldFailUnavailableWhenNoMapdListens() throws Exception
    {
        final InetSocketAddress nobody = new InetSocketAddress(Ports.HOST, Ports.unused(1)[0]);
        try (MetroClient client = MetroClient.builder(List.of(nobody)).requestTimeoutMs(TIMEOUT_MS).build())
        {
            final long startNs = System.nanoTime();
            assertThrows(MetroUnavailableException.class, () -> client.setSafe("k", "v"));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) < TIMEOUT_MS + SLACK_MS);
        }
    }

    @Test
    void shouldWaitForConnectionsUntilReadyOrTheTimeout() throws Exception
    {
        final InetSocketAddress nobody = new InetSocketAddress(Ports.HOST, Ports.unused(1)[0]);
        try (FakeMapd server = new FakeMapd(null);
            MetroClient client = MetroClient.builder(List.of(server.address(), nobody)).build())
        {
            assertTrue(client.awaitConnected(1, 30, TimeUnit.SECONDS), "the listening mapd's connection");
            assertEquals(1, client.readyConnections());
            assertFalse(client.awaitConnected(2, 200, TimeUnit.MILLISECONDS), "a mapd nobody listens for");
            assertEquals(1, client.readyConnections());
            assertThrows(IllegalArgumentException.class, () -> client.awaitConnected(3, 1, TimeUnit.SECONDS));
            assertThrows(IllegalArgumentException.class, () -> client.awaitConnected(0, 1, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldCloseEveryConnectionAndThread() throws Exception
    {
        try (FakeMapd server = new FakeMapd(null))
        {
            final MetroClient client = MetroClient.builder(List.of(server.address(), server.address()))
                .connectionsPerNode(3).build();
            assertTrue(client.awaitConnected(6, 30, TimeUnit.SECONDS), "6 connections");
            assertEquals(6, client.readyConnections());
            assertEquals(6, server.openConnections.get());
            final String prefix = client.threadNamePrefix();
            assertTrue(hasThread(prefix));

            client.close();

            assertEquals(0, client.readyConnections());
            assertFalse(hasThread(prefix), "client threads left after close()");
            Await.until("the server sees every connection closed", 30_000, () -> server.openConnections.get() == 0);
        }
    }

    @Test
    void shouldLeaveASharedEventLoopGroupRunning() throws Exception
    {
        final io.netty.channel.EventLoopGroup shared =
            io.metrodb.protocol.netty.Transports.newEventLoopGroup(2, "shared-loop");
        try (FakeMapd server = new FakeMapd(null))
        {
            final MetroClient client = MetroClient.builder(List.of(server.address()))
                .eventLoopGroup(shared).connectionsPerNode(2).build();
            Await.until("2 connections", 30_000, () -> server.openConnections.get() == 2);
            client.close();
            assertFalse(shared.isShuttingDown());
            Await.until("the server sees every connection closed", 30_000, () -> server.openConnections.get() == 0);
        }
        finally
        {
            shared.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
