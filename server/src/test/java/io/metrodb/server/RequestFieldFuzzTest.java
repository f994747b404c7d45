package io.metrodb.server;

import io.metrodb.mapd.MapdServer;
import io.metrodb.mond.MondConfig;
import io.metrodb.mond.MondServer;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.GoldenVectors;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.DumpRequest;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every request type of the protocol (the spec's worked examples, {@link GoldenVectors}), each field mutated one at
 * a time to its extremes, sent to a real logd, mapd and mond: every field position at every width that fits
 * (1, 2, 4, 8 bytes) set to 0, all ones (max unsigned, -1 signed), max signed, min signed, and the payload's length
 * and one past it (a length or offset pointing past the end); header flags and status; the request id; the payload
 * cut short or extended (the frame length follows, so each frame is well framed); every opcode. Each daemon must
 * answer with a valid reply or a typed error, never INTERNAL_ERROR, never an ERROR frame or a closed connection,
 * and still serve a real client afterwards. HELLO, whose bad forms close by design, is fuzzed on fresh
 * connections. Seed: {@code -Dfuzz.seed} (the order of the mutations; every mutation is sent).
 */
class RequestFieldFuzzTest
{
    private static final long SENTINEL_BASE = 1L << 60;
    private static final int BATCH = 64;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MapdServer mapd;
    private MondServer mond;
    private long seed;
    private String lastReply = "none";

    /**
     * A mutated request and what was done to it.
     */
    record Mutation(String what, ByteBuf frame)
    {
    }

    @BeforeEach
    void start() throws Exception
    {
        seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("RequestFieldFuzzTest seed=" + seed + ", rerun with -Dfuzz.seed=" + seed);
        cluster = TestCluster.builder(root).logds(2).start();
        mapd = cluster.startMapd(2);
        mond = MondServer.start(MondConfig.defaults(List.of(new InetSocketAddress(TestCluster.HOST, mapd.port())),
            cluster.logdAddresses()).withScrubPassMinMs(0));
    }

    @AfterEach
    void stop()
    {
        if (mond != null)
        {
            mond.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldAnswerEveryMutatedRequestWithATypedStatusOnLogd() throws Exception
    {
        fuzz("logd", cluster.logd(0).port());
        assertEquals(0, cluster.logd(0).server().errors().internalErrors(), "seed " + seed);
    }

    @Test
    void shouldAnswerEveryMutatedRequestWithATypedStatusOnMapd() throws Exception
    {
        fuzz("mapd", mapd.port());
        assertEquals(0, mapd.server().errors().internalErrors(), "seed " + seed);
    }

    @Test
    void shouldAnswerEveryMutatedRequestWithATypedStatusOnMond() throws Exception
    {
        fuzz("mond", mond.port());
    }

    @Test
    void shouldAnswerDumpWithACursorAtOrAbove2To63WithBadRequest() throws Exception
    {
        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            client.lastHello().release();
            for (final long cursor : new long[] {Long.MIN_VALUE, -1L, Long.MIN_VALUE + 1})
            {
                client.send(out -> DumpRequest.encode(out, 9, cursor, 1000));
                final ByteBuf reply = client.readFrame();
                try
                {
                    assertEquals(StatusCodes.name(StatusCodes.BAD_REQUEST), StatusCodes.name(FrameHeader.status(reply, 0)),
                        "cursor " + Long.toUnsignedString(cursor));
                }
                finally
                {
                    reply.release();
                }
            }
            // Past the end but below 2^63: the end of the walk, next cursor 0.
            client.send(out -> DumpRequest.encode(out, 10, Long.MAX_VALUE, 65535));
            final ByteBuf reply = client.readFrame();
            assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0));
            reply.release();
            assertServes("mapd", client);
        }
        assertEquals(0, mapd.server().errors().internalErrors());
    }

    private void fuzz(final String role, final int port) throws Exception
    {
        final List<Mutation> mutations = new ArrayList<>();
        for (final GoldenVectors.Example example : requests())
        {
            final ByteBuf valid = example.encode();
            if (FrameHeader.opcode(valid, 0) != Opcodes.HELLO)
            {
                mutate(example.name(), valid, mutations);
            }
            valid.release();
        }
        for (int opcode = 0; opcode < 256; opcode++)
        {
            if (opcode == Opcodes.HELLO)
            {
                continue; // a malformed HELLO closes by design: fuzzHello sends each on a connection of its own
            }
            final ByteBuf empty = Unpooled.buffer();
            FrameHeader.writeRequest(empty, 0, (byte)opcode, (byte)0, 1);
            mutations.add(new Mutation("opcode 0x" + Integer.toHexString(opcode) + ", empty payload", empty));
            final ByteBuf zeros = Unpooled.buffer();
            FrameHeader.writeRequest(zeros, 24, (byte)opcode, (byte)0, 1);
            zeros.writeZero(24);
            mutations.add(new Mutation("opcode 0x" + Integer.toHexString(opcode) + ", 24 zero bytes", zeros));
        }
        Collections.shuffle(mutations, new Random(seed));

        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, port, null))
        {
            client.lastHello().release();
            sendAll(role, port, client, mutations);
            assertServes(role, client);
        }
        fuzzHello(role, port);
        try (SocketClient fresh = SocketClient.connectWithHello(TestCluster.HOST, port, null))
        {
            fresh.lastHello().release();
            assertServes(role, fresh);
        }
        System.out.println("RequestFieldFuzzTest " + role + ": " + mutations.size() + " mutated requests answered");
    }

    /**
     * The request examples, plus a CLUSTER_VIEW push (mond's view sent as a request).
     */
    static List<GoldenVectors.Example> requests()
    {
        final List<GoldenVectors.Example> requests = new ArrayList<>();
        for (final GoldenVectors.Example example : GoldenVectors.all())
        {
            if (example.isFrame() && (example.name().endsWith("-request") || example.name().endsWith("-query")))
            {
                requests.add(example);
            }
        }
        requests.add(new GoldenVectors.Example("cluster-view-push", out ->
        {
            ClusterView.encodeViewHeader(out, 21, false, 5, 1, 1000, 1, 1, 0, ClusterView.nodeLength(9));
            ClusterView.writeNode(out, 1, Roles.LOGD, ClusterView.NODE_UP, 7558, 1_764_400_000_000L, 85, 8192,
                "127.0.0.1");
        }, frame -> { }));
        return requests;
    }

    static void mutate(final String name, final ByteBuf valid, final List<Mutation> into)
    {
        final int length = valid.readableBytes();
        final int payload = length - FrameHeader.HEADER_LENGTH;
        for (int at = FrameHeader.HEADER_LENGTH; at < length; at++)
        {
            for (int width = 1; width <= 8; width <<= 1)
            {
                if (at + width > length || (at - FrameHeader.HEADER_LENGTH) % width != 0)
                {
                    continue;
                }
                final long[] values = {0, -1, maxSigned(width), minSigned(width), payload, payload + 1};
                for (final long value : values)
                {
                    final ByteBuf frame = valid.copy();
                    put(frame, at, width, value);
                    into.add(new Mutation(name + ": payload[" + (at - FrameHeader.HEADER_LENGTH) + "], " + width +
                        " bytes = 0x" + Long.toHexString(value), frame));
                }
            }
        }
        for (final int flags : new int[] {FrameFlags.RESPONSE, FrameFlags.DURABLE, FrameFlags.MORE, 0xFF, 0xF8})
        {
            final ByteBuf frame = valid.copy();
            frame.setByte(FrameHeader.FLAGS_OFFSET, flags);
            into.add(new Mutation(name + ": flags 0x" + Integer.toHexString(flags), frame));
        }
        for (final int status : new int[] {1, 0x0F01, 0xFFFF})
        {
            final ByteBuf frame = valid.copy();
            frame.setShort(FrameHeader.STATUS_OFFSET, status);
            into.add(new Mutation(name + ": status 0x" + Integer.toHexString(status), frame));
        }
        for (final long requestId : new long[] {0, -1, Long.MAX_VALUE, Long.MIN_VALUE})
        {
            final ByteBuf frame = valid.copy();
            frame.setLong(FrameHeader.REQUEST_ID_OFFSET, requestId);
            into.add(new Mutation(name + ": request id 0x" + Long.toHexString(requestId), frame));
        }
        for (final int newPayload : new int[] {0, payload / 2, payload - 1, payload + 1, payload + 8, payload + 4096})
        {
            if (newPayload < 0 || newPayload == payload)
            {
                continue;
            }
            final ByteBuf frame = Unpooled.buffer(FrameHeader.HEADER_LENGTH + newPayload);
            frame.writeBytes(valid, 0, FrameHeader.HEADER_LENGTH + Math.min(payload, newPayload));
            while (frame.readableBytes() < FrameHeader.HEADER_LENGTH + newPayload)
            {
                frame.writeByte(0xFF);
            }
            frame.setInt(FrameHeader.LENGTH_OFFSET, frame.readableBytes());
            into.add(new Mutation(name + ": payload of " + newPayload + " bytes instead of " + payload, frame));
        }
    }

    private static long maxSigned(final int width)
    {
        return width == 8 ? Long.MAX_VALUE : (1L << (8 * width - 1)) - 1;
    }

    private static long minSigned(final int width)
    {
        return width == 8 ? Long.MIN_VALUE : 1L << (8 * width - 1);
    }

    private static void put(final ByteBuf frame, final int at, final int width, final long value)
    {
        switch (width)
        {
            case 1 -> frame.setByte(at, (int)value);
            case 2 -> frame.setShort(at, (int)value);
            case 4 -> frame.setInt(at, (int)value);
            default -> frame.setLong(at, value);
        }
    }

    /**
     * Sends every mutation pipelined in batches, each batch closed by a PING, and checks every frame that comes
     * back; at the end every request (id) must have had an answer.
     */
    private void sendAll(final String role, final int port, final SocketClient client, final List<Mutation> mutations)
        throws IOException
    {
        final Map<Long, String> unanswered = new HashMap<>();
        long nextId = 1;
        long sentinel = SENTINEL_BASE;
        final List<Mutation> batch = new ArrayList<>();
        for (int from = 0; from < mutations.size(); from += BATCH)
        {
            batch.clear();
            final ByteBuf out = Unpooled.buffer();
            for (int i = from; i < Math.min(mutations.size(), from + BATCH); i++)
            {
                final Mutation mutation = mutations.get(i);
                final ByteBuf frame = mutation.frame();
                if (frame.getLong(FrameHeader.REQUEST_ID_OFFSET) == 1)
                {
                    // The examples' small ids, made unique so each answer can be matched.
                    frame.setLong(FrameHeader.REQUEST_ID_OFFSET, nextId++ + 1_000_000);
                }
                else if (frame.getLong(FrameHeader.REQUEST_ID_OFFSET) < SENTINEL_BASE &&
                    frame.getLong(FrameHeader.REQUEST_ID_OFFSET) > 0)
                {
                    frame.setLong(FrameHeader.REQUEST_ID_OFFSET, nextId++ + 1_000_000);
                }
                unanswered.put(frame.getLong(FrameHeader.REQUEST_ID_OFFSET), mutation.what());
                batch.add(mutation);
                out.writeBytes(frame);
            }
            final long thisSentinel = sentinel++;
            Ping.encodeRequest(out, thisSentinel, thisSentinel);
            try
            {
                client.writeRaw(out);
                readUntil(role, client, thisSentinel, unanswered);
            }
            catch (final IOException e)
            {
                throw new AssertionError(role + ": connection lost in a batch; alone on a connection of its own, " +
                    culprits(port, batch) + "; server errors " + serverErrors() + "; last reply: " + lastReply + ", seed " + seed, e);
            }
            for (final Mutation mutation : batch)
            {
                mutation.frame().release();
            }
        }
        while (!unanswered.isEmpty())
        {
            try
            {
                readOne(role, client, unanswered);
            }
            catch (final IOException e)
            {
                throw new AssertionError(role + ": no answer to " + unanswered.values() + ", seed " + seed, e);
            }
        }
    }

    private String serverErrors()
    {
        final StringBuilder text = new StringBuilder();
        for (final NettyServer server : new NettyServer[] {cluster.logd(0).server(), mapd.server()})
        {
            text.append(" protocol=").append(server.errors().protocolErrors()).append(" io=")
                .append(server.errors().ioErrors()).append(" internal=").append(server.errors().internalErrors());
        }
        return text.toString();
    }

    /**
     * @return the mutations of a batch that lost the connection, each found by sending it alone on a new one.
     */
    private static List<String> culprits(final int port, final List<Mutation> batch) throws IOException
    {
        final List<String> culprits = new ArrayList<>();
        for (final Mutation mutation : batch)
        {
            try (SocketClient alone = SocketClient.connectWithHello(TestCluster.HOST, port, null))
            {
                alone.lastHello().release();
                final ByteBuf frame = mutation.frame();
                alone.writeRaw(frame.retainedDuplicate().readerIndex(0));
                alone.send(out -> Ping.encodeRequest(out, SENTINEL_BASE - 1, 0));
                while (FrameHeader.requestId(alone.readFrame(), 0) != SENTINEL_BASE - 1)
                {
                    // until the PING's answer
                }
            }
            catch (final IOException e)
            {
                culprits.add(mutation.what() + " (" + e + ")");
            }
        }
        return culprits;
    }

    private void readUntil(final String role, final SocketClient client, final long sentinel,
        final Map<Long, String> unanswered) throws IOException
    {
        while (readOne(role, client, unanswered) != sentinel)
        {
            // next frame
        }
    }

    private long readOne(final String role, final SocketClient client, final Map<Long, String> unanswered)
        throws IOException
    {
        final ByteBuf reply = client.readFrame();
        try
        {
            final long id = FrameHeader.requestId(reply, 0);
            final short status = FrameHeader.status(reply, 0);
            final String what = id >= SENTINEL_BASE ? "the batch's PING" : unanswered.getOrDefault(id, "id " + id);
            final String message = StatusCodes.isError(status) && ErrorPayload.isValid(reply, 0) ?
                ErrorPayload.message(reply, 0) : "";
            if (FrameHeader.opcode(reply, 0) == Opcodes.ERROR && id == 0)
            {
                fail(role + " closed the connection (ERROR frame " + StatusCodes.name(status) + " " + message +
                    "), seed " + seed);
            }
            assertTrue(FrameHeader.isResponse(reply, 0), role + ": not a response, to " + what + ", seed " + seed);
            assertNotEquals(StatusCodes.INTERNAL_ERROR, status,
                role + ": INTERNAL_ERROR for " + what + " " + message + ", seed " + seed);
            lastReply = what + " -> " + StatusCodes.name(status) + " " + message;
            unanswered.remove(id);
            return id;
        }
        finally
        {
            reply.release();
        }
    }

    /**
     * HELLO on a fresh connection per mutation: a typed answer (OK, or an error that may close).
     */
    private void fuzzHello(final String role, final int port) throws IOException
    {
        GoldenVectors.Example hello = null;
        for (final GoldenVectors.Example example : GoldenVectors.all())
        {
            if (example.name().equals("hello-request"))
            {
                hello = example;
            }
        }
        final ByteBuf valid = hello.encode();
        final List<Mutation> mutations = new ArrayList<>();
        mutate("hello-request", valid, mutations);
        valid.release();
        for (final Mutation mutation : mutations)
        {
            try (SocketClient client = SocketClient.connect(TestCluster.HOST, port))
            {
                client.writeRaw(mutation.frame());
                final ByteBuf reply = client.readFrame();
                try
                {
                    final short status = FrameHeader.status(reply, 0);
                    assertTrue(FrameHeader.isResponse(reply, 0), role + ": " + mutation.what() + ", seed " + seed);
                    assertNotEquals(StatusCodes.INTERNAL_ERROR, status, role + ": " + mutation.what() + ", seed " + seed);
                }
                finally
                {
                    reply.release();
                }
            }
            catch (final IOException e)
            {
                throw new AssertionError(role + ": no answer to " + mutation.what() + ", seed " + seed, e);
            }
        }
    }

    /**
     * A real client's calls on this connection: PING, INFO, and on a mapd a GET.
     */
    private void assertServes(final String role, final SocketClient client) throws IOException
    {
        client.send(out -> Ping.encodeRequest(out, 77, 77));
        ByteBuf reply = client.readFrame();
        assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), role + " PING, seed " + seed);
        assertEquals(77, Ping.nonce(reply, 0));
        reply.release();

        client.send(out -> Info.encodeRequest(out, 78, ""));
        reply = client.readFrame();
        assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), role + " INFO, seed " + seed);
        reply.release();

        if (role.equals("mapd"))
        {
            client.send(out -> KeyRequest.encode(out, 79, Opcodes.GET, (byte)0,
                "no-such-key".getBytes(StandardCharsets.US_ASCII)));
            reply = client.readFrame();
            final short status = FrameHeader.status(reply, 0);
            reply.release();
            if (status != StatusCodes.OK && status != StatusCodes.NOT_FOUND)
            {
                fail("mapd GET after the fuzz: " + StatusCodes.name(status) + ", seed " + seed);
            }
        }
    }
}
