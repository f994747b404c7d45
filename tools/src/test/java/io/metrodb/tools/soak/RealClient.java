package io.metrodb.tools.soak;

import io.metrodb.client.MetroClient;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.testing.SocketClient;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real client that must be served throughout the soak: {@link Raw} on a plain connection, {@link Sdk} through
 * the Java SDK.
 */
interface RealClient extends AutoCloseable
{
    /** One call (or a few), each answered OK, else the test fails. */
    void call(int i) throws Exception;

    /** Drops its connection(s) and connects again. */
    void reconnect() throws Exception;

    /** PING (and APPEND, on a logd) on a plain connection after HELLO. */
    static final class Raw implements RealClient
    {
        private final SoakDaemon daemon;
        private final boolean append;
        private final long seed;
        private SocketClient connection;

        Raw(final SoakDaemon daemon, final boolean append, final long seed) throws IOException
        {
            this.daemon = daemon;
            this.append = append;
            this.seed = seed;
            reconnect();
        }

        @Override
        public void reconnect() throws IOException
        {
            if (connection != null)
            {
                connection.close();
            }
            connection = RawFrames.helloSent(daemon.port);
            final ByteBuf answer = connection.readFrame();
            assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(RawFrames.status(answer)),
                "the real client's HELLO to " + daemon.name + " (" + RawFrames.message(answer) + "), seed " + seed);
        }

        @Override
        public void call(final int i) throws IOException
        {
            final long id = 2L * i + 1;
            connection.send(out -> Ping.encodeRequest(out, id, i));
            expectOk(connection.readFrame(), "PING " + i, id);
            if (append)
            {
                final byte[] entry = ("real-" + i + "-" + seed).getBytes(StandardCharsets.US_ASCII);
                connection.send(out -> AppendRequest.encode(out, id + 1, false, entry));
                expectOk(connection.readFrame(), "APPEND " + i, id + 1);
            }
        }

        private void expectOk(final ByteBuf reply, final String what, final long id)
        {
            assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(RawFrames.status(reply)),
                "the real client's " + what + " to " + daemon.name + " (" + RawFrames.message(reply) + "), seed " +
                seed);
            assertEquals(id, RawFrames.requestId(reply), "the real client's " + what + " answer, seed " + seed);
        }

        @Override
        public void close() throws IOException
        {
            connection.close();
        }
    }

    /** The SDK on the mapd: SET, then GET of what was set. */
    static final class Sdk implements RealClient
    {
        private final SoakDaemon mapd;
        private final long seed;
        private MetroClient client;

        Sdk(final SoakDaemon mapd, final long seed)
        {
            this.mapd = mapd;
            this.seed = seed;
            reconnect();
        }

        @Override
        public void reconnect()
        {
            if (client != null)
            {
                client.close();
            }
            client = MetroClient.builder(RawFrames.HOST + ":" + mapd.port).requestTimeoutMs(15_000).build();
        }

        @Override
        public void call(final int i)
        {
            final byte[] key = ("real-" + i).getBytes(StandardCharsets.US_ASCII);
            final byte[] value = ("value-" + i + "-" + seed).getBytes(StandardCharsets.US_ASCII);
            client.set(key, value);
            assertArrayEquals(value, client.get(key), "the real client's GET " + i + " from the mapd, seed " + seed);
        }

        @Override
        public void close()
        {
            client.close();
        }
    }
}
