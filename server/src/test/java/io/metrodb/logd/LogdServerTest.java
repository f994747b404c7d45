package io.metrodb.logd;

import io.metrodb.log.LogConfig;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloResponse;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.logd.ScanRequest;
import io.metrodb.protocol.logd.ScanResponse;
import io.metrodb.protocol.logd.StatResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.testing.TestSeed;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.testing.SocketClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real logd on loopback, real files, driven over real sockets.
 */
class LogdServerTest
{
    private static final String HOST = "127.0.0.1";
    private static final int SEGMENT_LENGTH = 1 << 20;
    private static final int MAX_ENTRY = 256 * 1024;

    @RegisterExtension
    final TestSeed testSeed = new TestSeed("logd.seed");

    @TempDir
    Path dir;

    private LogdServer server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private LogdServer start(final String token) throws Exception
    {
        final LogConfig log = new LogConfig()
            .directory(dir)
            .segmentLength(SEGMENT_LENGTH)
            .maxEntryLength(MAX_ENTRY)
            .validate();
        server = LogdServer.start(new LogdConfig(HOST, 0, 11, token, 1,
            ProtocolLimits.frameLengthFor(MAX_ENTRY), log));
        return server;
    }

    private SocketClient connect() throws IOException
    {
        final SocketClient client = SocketClient.connectWithHello(HOST, server.port(), null);
        final ByteBuf hello = client.lastHello();
        assertEquals(StatusCodes.OK, FrameHeader.status(hello, 0));
        assertEquals(Roles.LOGD, HelloResponse.role(hello, 0));
        assertEquals(11, HelloResponse.nodeId(hello, 0));
        hello.release();
        return client;
    }

    private static byte[] entry(final int i)
    {
        final byte[] bytes = new byte[1 + (i * 37) % 5000];
        for (int b = 0; b < bytes.length; b++)
        {
            bytes[b] = (byte)(i * 31 + b);
        }
        return bytes;
    }

    /** Pipelines APPENDs (every other one durable) and returns offsets by request id. */
    private static Map<Long, Long> appendAll(final SocketClient client, final int count, final int firstId)
        throws IOException
    {
        client.send(out ->
        {
            for (int i = 0; i < count; i++)
            {
                AppendRequest.encode(out, firstId + i, i % 2 == 0, entry(firstId + i));
            }
        });
        final Map<Long, Long> offsets = new HashMap<>();
        for (int i = 0; i < count; i++)
        {
            final ByteBuf reply = client.readFrame();
            assertTrue(FrameValidator.isValidResponse(reply, 0));
            assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), () -> ErrorPayload.message(reply, 0));
            assertEquals(Opcodes.APPEND, FrameHeader.opcode(reply, 0));
            offsets.put(FrameHeader.requestId(reply, 0), OffsetPayload.offset(reply, 0));
            reply.release();
        }
        assertEquals(count, offsets.size(), "one answer per request id");
        return offsets;
    }

    private static void assertReadsBack(final SocketClient client, final Map<Long, Long> offsets) throws IOException
    {
        client.send(out -> offsets.forEach((id, offset) -> OffsetPayload.encodeReadRequest(out, id, offset)));
        for (int i = 0; i < offsets.size(); i++)
        {
            final ByteBuf reply = client.readFrame();
            assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), () -> ErrorPayload.message(reply, 0));
            final long id = FrameHeader.requestId(reply, 0);
            assertArrayEquals(entry((int)id), ByteBufUtil.getBytes(reply, ReadResponse.entryIndex(0),
                ReadResponse.entryLength(reply, 0)), "entry of request " + id);
            reply.release();
        }
    }

    @Test
    void shouldAppendAndReadBackPipelinedAcrossSegmentRollover() throws Exception
    {
        start(null);
        try (SocketClient client = connect())
        {
            final Map<Long, Long> offsets = appendAll(client, 1000, 1);
            assertEquals(1000, offsets.values().stream().distinct().count(), "distinct offsets");
            assertTrue(server.store().stats().segmentCount() > 1, "the entries span several segments");
            assertReadsBack(client, offsets);
        }
    }

    @Test
    void shouldAnswerEveryDurableAppendOfConnectionsSharingGroupCommits() throws Exception
    {
        start(null);
        final int perConnection = 300;
        try (SocketClient first = connect(); SocketClient second = connect(); SocketClient quitter = connect())
        {
            // All three pipeline durable appends at once, so groups mix connections; one leaves without its answers.
            quitter.send(out -> sendDurable(out, perConnection, 50_000));
            first.send(out -> sendDurable(out, perConnection, 10_000));
            second.send(out -> sendDurable(out, perConnection, 20_000));
            quitter.close();

            final Map<Long, Long> offsets = new HashMap<>(readDurableAnswers(first, perConnection));
            offsets.putAll(readDurableAnswers(second, perConnection));
            assertEquals(2 * perConnection, offsets.size(), "one answer per request id");
            assertTrue(offsets.values().stream().allMatch(offset -> offset < server.store().durablePosition()),
                "every answered append is below the durable position");
            assertReadsBack(first, offsets);
        }
    }

    private static void sendDurable(final ByteBuf out, final int count, final int firstId)
    {
        for (int i = 0; i < count; i++)
        {
            AppendRequest.encode(out, firstId + i, true, entry(firstId + i));
        }
    }

    private static Map<Long, Long> readDurableAnswers(final SocketClient client, final int count) throws IOException
    {
        final Map<Long, Long> offsets = new HashMap<>();
        for (int i = 0; i < count; i++)
        {
            final ByteBuf reply = client.readFrame();
            assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), () -> ErrorPayload.message(reply, 0));
            assertEquals(Opcodes.APPEND, FrameHeader.opcode(reply, 0));
            offsets.put(FrameHeader.requestId(reply, 0), OffsetPayload.offset(reply, 0));
            reply.release();
        }
        return offsets;
    }

    @Test
    void shouldAnswerAnOffsetFirstDurableAppendWithItsOffsetThenAgainOnceForced() throws Exception
    {
        start(null);
        final int count = 200;
        try (SocketClient client = connect())
        {
            client.send(out ->
            {
                for (int i = 1; i <= count; i++)
                {
                    final byte[] bytes = entry(i);
                    FrameHeader.writeRequest(out, AppendRequest.ENTRY_OFFSET + bytes.length, Opcodes.APPEND,
                        (byte)(FrameFlags.DURABLE | FrameFlags.MORE), i);
                    out.writeInt(bytes.length);
                    out.writeBytes(bytes);
                }
            });
            final Map<Long, Long> early = new HashMap<>();
            final Map<Long, Long> forced = new HashMap<>();
            for (int i = 0; i < 2 * count; i++)
            {
                final ByteBuf reply = client.readFrame();
                assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), () -> ErrorPayload.message(reply, 0));
                final long id = FrameHeader.requestId(reply, 0);
                final long offset = OffsetPayload.offset(reply, 0);
                if (FrameHeader.hasFlag(reply, 0, FrameFlags.MORE))
                {
                    assertFalse(forced.containsKey(id), "the offset of " + id + " comes before its forced answer");
                    assertNull(early.put(id, offset), "one offset answer for " + id);
                }
                else
                {
                    assertEquals(early.get(id), offset, "the forced answer of " + id + " repeats its offset");
                    assertTrue(offset < server.store().durablePosition(), "answered forced only once forced: " + id);
                    assertNull(forced.put(id, offset), "one forced answer for " + id);
                }
                reply.release();
            }
            assertEquals(count, forced.size(), "every append answered twice");
            assertReadsBack(client, forced);
        }
    }

    @Test
    void shouldKeepEveryEntryAcrossRestart() throws Exception
    {
        start(null);
        final Map<Long, Long> offsets;
        try (SocketClient client = connect())
        {
            offsets = appendAll(client, 300, 1);
        }
        server.close();
        server = null;

        start(null);
        try (SocketClient client = connect())
        {
            assertReadsBack(client, offsets);
            final Map<Long, Long> more = appendAll(client, 10, 1000);
            final long highest = offsets.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertTrue(more.values().stream().allMatch(offset -> offset > highest), "appends continue after the tail");
        }
    }

    @Test
    void shouldAnswerRandomReadOffsetsWithErrorStatusesNeverGarbage() throws Exception
    {
        start(null);
        try (SocketClient client = connect())
        {
            final Map<Long, Long> appended = appendAll(client, 200, 1);
            final Map<Long, Long> idByOffset = new HashMap<>();
            appended.forEach((id, offset) -> idByOffset.put(offset, id));
            final SplittableRandom random = testSeed.random();
            final long tail = server.store().tailPosition();
            final long[] offsets = new long[3000];
            for (int i = 0; i < offsets.length; i++)
            {
                offsets[i] = switch (i % 4)
                {
                    case 0 -> random.nextLong();
                    case 1 -> random.nextLong(0, tail + 1);
                    case 2 -> tail + random.nextLong(0, 1L << 40);
                    default -> -1 - random.nextLong(0, 1000);
                };
            }
            client.send(out ->
            {
                for (int i = 0; i < offsets.length; i++)
                {
                    OffsetPayload.encodeReadRequest(out, i, offsets[i]);
                }
            });
            for (int i = 0; i < offsets.length; i++)
            {
                final ByteBuf reply = client.readFrame();
                final int id = (int)FrameHeader.requestId(reply, 0);
                final short status = FrameHeader.status(reply, 0);
                final Long entryId = idByOffset.get(offsets[id]);
                if (entryId != null)
                {
                    assertEquals(StatusCodes.OK, status);
                    assertArrayEquals(entry(entryId.intValue()), ByteBufUtil.getBytes(reply, ReadResponse.entryIndex(0),
                        ReadResponse.entryLength(reply, 0)));
                }
                else
                {
                    assertTrue(status == StatusCodes.OFFSET_OUT_OF_RANGE || status == StatusCodes.NOT_A_RECORD,
                        "offset " + offsets[id] + " answered " + StatusCodes.name(status));
                    assertTrue(ErrorPayload.isValid(reply, 0));
                }
                reply.release();
            }
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSentAnOverLimitFrame() throws Exception
    {
        start(null);
        try (SocketClient good = connect(); SocketClient bad = connect())
        {
            bad.writeRaw(Unpooled.buffer().writeInt(ProtocolLimits.frameLengthFor(MAX_ENTRY) + 1).writeZero(12));
            final ByteBuf error = bad.readFrame();
            assertEquals(Opcodes.ERROR, FrameHeader.opcode(error, 0));
            assertEquals(StatusCodes.FRAME_TOO_LARGE, FrameHeader.status(error, 0));
            error.release();
            assertTrue(bad.isClosedByServer());

            assertReadsBack(good, appendAll(good, 10, 1));
            assertEquals(1, server.server().errors().protocolErrors());
        }
    }

    @Test
    void shouldCloseOnGarbageBytesAndKeepServingOthers() throws Exception
    {
        start(null);
        try (SocketClient good = connect();
            java.net.Socket garbage = new java.net.Socket(HOST, server.port()))
        {
            garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            garbage.setSoTimeout(SocketClient.READ_TIMEOUT_MS);
            assertEquals(-1, garbage.getInputStream().read(), "closed without a reply");
            assertReadsBack(good, appendAll(good, 10, 1));
        }
    }

    @Test
    void shouldAnswerUnknownOpcodeWrongRoleAndMalformedRequestsAndStayOpen() throws Exception
    {
        start(null);
        try (SocketClient client = connect())
        {
            client.send(out ->
            {
                FrameHeader.writeRequest(out, 0, (byte)0x7f, (byte)0, 1);
                KeyRequest.encode(out, 2, Opcodes.GET, (byte)0, "k".getBytes(StandardCharsets.US_ASCII));
                FrameHeader.writeRequest(out, 3, Opcodes.READ, (byte)0, 3);
                out.writeZero(3);
                AppendRequest.encode(out, 4, false, new byte[MAX_ENTRY + 1]);
                Ping.encodeRequest(out, 5, 55);
            });
            final short[] expected = {StatusCodes.UNKNOWN_OPCODE, StatusCodes.WRONG_ROLE, StatusCodes.BAD_REQUEST,
                StatusCodes.ENTRY_TOO_LARGE, StatusCodes.OK};
            for (int i = 0; i < expected.length; i++)
            {
                final ByteBuf reply = client.readFrame();
                assertEquals(i + 1, FrameHeader.requestId(reply, 0));
                assertEquals(expected[i], FrameHeader.status(reply, 0), StatusCodes.name(FrameHeader.status(reply, 0)));
                assertTrue(FrameValidator.isValidResponse(reply, 0));
                reply.release();
            }
        }
    }

    @Test
    void shouldAnswerHeartbeatWithRoleNodeIdTailAndEchoedSendTime() throws Exception
    {
        start(null);
        try (SocketClient client = connect())
        {
            final Map<Long, Long> offsets = appendAll(client, 20, 1);
            client.send(out ->
            {
                HeartbeatRequest.encode(out, 100, 123_456_789L, 7);
                FrameHeader.writeRequest(out, 3, Opcodes.HEARTBEAT, (byte)0, 101);
                out.writeZero(3);
                HeartbeatRequest.encode(out, 102, -5L, 0);
            });
            final ByteBuf reply = client.readFrame();
            try
            {
                assertEquals(100, FrameHeader.requestId(reply, 0));
                assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0));
                assertTrue(FrameValidator.isValidResponse(reply, 0));
                assertEquals(123_456_789L, HeartbeatResponse.sendTimeNs(reply, 0));
                assertEquals(Roles.LOGD, HeartbeatResponse.role(reply, 0));
                assertEquals(HeartbeatResponse.STATE_SERVING, HeartbeatResponse.state(reply, 0));
                assertEquals(11, HeartbeatResponse.nodeId(reply, 0));
                assertEquals(server.store().tailPosition(), HeartbeatResponse.dataBytes(reply, 0));
                assertTrue(HeartbeatResponse.dataBytes(reply, 0) > offsets.values().stream().mapToLong(Long::longValue)
                    .max().orElseThrow(), "data is the tail offset");
                assertEquals(0, HeartbeatResponse.viewEpoch(reply, 0));
            }
            finally
            {
                reply.release();
            }
            final ByteBuf truncated = client.readFrame();
            assertEquals(StatusCodes.BAD_REQUEST, FrameHeader.status(truncated, 0));
            truncated.release();
            final ByteBuf again = client.readFrame();
            assertEquals(-5L, HeartbeatResponse.sendTimeNs(again, 0), "the connection stays usable");
            again.release();
            assertEquals(2, server.counters().heartbeats());
        }
    }

    @Test
    void shouldRefuseRequestsUntilHelloCarriesTheToken() throws Exception
    {
        start("s3cret");
        try (SocketClient anonymous = SocketClient.connect(HOST, server.port()))
        {
            anonymous.send(out -> Ping.encodeRequest(out, 1, 1));
            final ByteBuf reply = anonymous.readFrame();
            assertEquals(StatusCodes.AUTH_REQUIRED, FrameHeader.status(reply, 0));
            reply.release();
        }
        try (SocketClient wrong = SocketClient.connectWithHello(HOST, server.port(), "guess"))
        {
            assertEquals(StatusCodes.AUTH_FAILED, FrameHeader.status(wrong.lastHello(), 0));
            wrong.lastHello().release();
            assertTrue(wrong.isClosedByServer());
        }
        try (SocketClient right = SocketClient.connectWithHello(HOST, server.port(), "s3cret"))
        {
            assertEquals(StatusCodes.OK, FrameHeader.status(right.lastHello(), 0));
            right.lastHello().release();
            assertReadsBack(right, appendAll(right, 4, 1));
        }
    }

    @Test
    void shouldReportStatAndScanEveryRecordInOrder() throws Exception
    {
        start(null);
        try (SocketClient client = connect())
        {
            final Map<Long, Long> offsets = appendAll(client, 50, 1);
            client.send(out -> StatResponse.encodeRequest(out, 100));
            final ByteBuf stat = client.readFrame();
            assertTrue(StatResponse.isValid(stat, 0));
            assertEquals(server.store().tailPosition(), StatResponse.tailOffset(stat, 0));
            assertEquals(50, StatResponse.appends(stat, 0));
            assertEquals(25, StatResponse.durableAppends(stat, 0));
            assertTrue(StatResponse.groupCommits(stat, 0) >= 1);
            stat.release();

            final Map<Long, Long> idByOffset = new HashMap<>();
            offsets.forEach((id, offset) -> idByOffset.put(offset, id));
            long from = 0;
            int seen = 0;
            while (from < server.store().tailPosition())
            {
                final long scanFrom = from;
                client.send(out -> ScanRequest.encode(out, 200, scanFrom, 8 * 1024, 7));
                final ByteBuf scan = client.readFrame();
                assertEquals(StatusCodes.OK, FrameHeader.status(scan, 0), () -> ErrorPayload.message(scan, 0));
                assertTrue(ScanResponse.isValid(scan, 0));
                int record = ScanResponse.firstRecordIndex(0);
                for (int i = 0; i < ScanResponse.count(scan, 0); i++)
                {
                    final Long id = idByOffset.get(ScanResponse.recordOffset(scan, record));
                    assertNotNull(id);
                    assertArrayEquals(entry(id.intValue()), ByteBufUtil.getBytes(scan,
                        ScanResponse.recordBytesIndex(record), ScanResponse.recordLength(scan, record)));
                    record = ScanResponse.nextRecordIndex(scan, record);
                    seen++;
                }
                assertTrue(ScanResponse.nextOffset(scan, 0) > from, "the scan advances");
                from = ScanResponse.nextOffset(scan, 0);
                scan.release();
            }
            assertEquals(50, seen);
        }
    }
}
