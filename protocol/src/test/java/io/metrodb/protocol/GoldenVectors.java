package io.metrodb.protocol;

import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.logd.ScanRequest;
import io.metrodb.protocol.logd.ScanResponse;
import io.metrodb.protocol.logd.StatResponse;
import io.metrodb.protocol.mapd.BadReplicaFlyweight;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.DumpRequest;
import io.metrodb.protocol.mapd.DumpResponse;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairRequestFlyweight;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.mapd.ValueRecordFlyweight;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.testing.ReplicateFrames;
import io.metrodb.protocol.validation.FrameValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worked examples of PROTOCOL.md: how each is encoded, and what a decoder must read back from its bytes.
 * {@code GoldenVectorTest} checks that the spec's hex and these encoders agree byte for byte.
 * Run {@link #main(String[])} to print every example in the spec's format.
 */
public final class GoldenVectors
{
    /**
     * One worked example.
     *
     * @param name    the name after {@code <!-- example: } in PROTOCOL.md.
     * @param encoder writes the example's bytes.
     * @param check   asserts the fields read back from the frame at reader index.
     */
    public record Example(String name, Consumer<ByteBuf> encoder, Consumer<ByteBuf> check)
    {
        /**
         * @return true unless the example is the preface or a stored record rather than a frame.
         */
        public boolean isFrame()
        {
            return GoldenVectors.isFrame(name);
        }

        /**
         * @return the encoded bytes as a new heap buffer.
         */
        public ByteBuf encode()
        {
            final ByteBuf out = Unpooled.buffer();
            encoder.accept(out);
            return out;
        }
    }

    public static final byte[] TOKEN = "s3cret".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] KEY = "user:42".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] VALUE = "hello".getBytes(StandardCharsets.US_ASCII);
    /** A hybrid logical clock version: 2025-11-29T07:06:40Z in ms, counter 1. */
    public static final long VERSION = (1_764_400_000_000L << 16) | 1;
    public static final int NODE = 3;
    public static final short[] LOGDS = {1, 2};
    public static final long[] OFFSETS = {4096, 8192};
    public static final int CHECKSUM = ValueRecord.checksum(VALUE);

    private static final List<Example> EXAMPLES = new ArrayList<>();

    static
    {
        add("preface", Preface::write, buf -> assertEquals(Preface.FIRST_BYTE, buf.getByte(buf.readerIndex())));

        add("hello-request",
            out -> HelloRequest.encode(out, 0, 1, 1, Roles.CLIENT, 0, TOKEN),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, HelloRequest.validate(buf, at));
                assertEquals(Opcodes.HELLO, FrameHeader.opcode(buf, at));
                assertEquals(1, HelloRequest.minVersion(buf, at));
                assertEquals(1, HelloRequest.maxVersion(buf, at));
                assertEquals(Roles.CLIENT, HelloRequest.role(buf, at));
                assertEquals(TOKEN.length, HelloRequest.tokenLength(buf, at));
            }));
        add("hello-response",
            out -> HelloResponse.encode(out, 0, 1, Roles.MAPD, 3, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(FrameHeader.isResponse(buf, at));
                assertTrue(HelloResponse.isValid(buf, at));
                assertEquals(1, HelloResponse.version(buf, at));
                assertEquals(Roles.MAPD, HelloResponse.role(buf, at));
                assertEquals(3, HelloResponse.nodeId(buf, at));
                assertEquals(ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH, HelloResponse.maxFrameLength(buf, at));
            }));
        add("hello-auth-failed",
            out -> ErrorPayload.encode(out, Opcodes.HELLO, StatusCodes.AUTH_FAILED, 0, "wrong auth token"),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.AUTH_FAILED, FrameHeader.status(buf, at));
                assertEquals("wrong auth token", ErrorPayload.message(buf, at));
            }));
        add("ping-request",
            out -> Ping.encodeRequest(out, 1, 0x0102030405060708L),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, Ping.validate(buf, at));
                assertEquals(1, FrameHeader.requestId(buf, at));
                assertEquals(0x0102030405060708L, Ping.nonce(buf, at));
            }));
        add("ping-response",
            out -> Ping.encodeResponse(out, 1, 0x0102030405060708L),
            f -> withFrame(f, (buf, at) -> assertEquals(0x0102030405060708L, Ping.nonce(buf, at))));
        add("error-frame-too-large",
            out -> ErrorPayload.encode(out, Opcodes.ERROR, StatusCodes.FRAME_TOO_LARGE, 0, "too large"),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(Opcodes.ERROR, FrameHeader.opcode(buf, at));
                assertEquals(StatusCodes.FRAME_TOO_LARGE, FrameHeader.status(buf, at));
                assertEquals("too large", ErrorPayload.message(buf, at));
            }));
        add("error-unknown-opcode",
            out -> ErrorPayload.encode(out, (byte)0x7f, StatusCodes.UNKNOWN_OPCODE, 9, ""),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.UNKNOWN_OPCODE, FrameHeader.status(buf, at));
                assertEquals(9, FrameHeader.requestId(buf, at));
                assertTrue(ErrorPayload.isValid(buf, at));
            }));
        add("info-request",
            out -> Info.encodeRequest(out, 2, "grid"),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, Info.validateRequest(buf, at));
                assertEquals("grid", Info.section(buf, at));
            }));
        add("info-response",
            out -> Info.encodeResponse(out, 2, "keys:1\n"),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(Info.isValidResponse(buf, at));
                assertEquals("keys:1\n", Info.text(buf, at));
            }));

        add("append-request",
            out -> AppendRequest.encode(out, 3, true, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, AppendRequest.validate(buf, at));
                assertTrue(AppendRequest.isDurable(buf, at));
                assertEquals(VALUE.length, AppendRequest.entryLength(buf, at));
                assertEquals("hello", string(buf, AppendRequest.entryIndex(at), VALUE.length));
            }));
        add("append-response",
            out -> OffsetPayload.encodeAppendResponse(out, 3, 4096),
            f -> withFrame(f, (buf, at) -> assertEquals(4096, OffsetPayload.offset(buf, at))));
        add("append-storage-full",
            out -> ErrorPayload.encode(out, Opcodes.APPEND, StatusCodes.STORAGE_FULL, 3, "disk full"),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.STORAGE_FULL, FrameHeader.status(buf, at));
                assertEquals("disk full", ErrorPayload.message(buf, at));
            }));
        add("read-request",
            out -> OffsetPayload.encodeReadRequest(out, 4, 4096),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, OffsetPayload.validate(buf, at));
                assertEquals(4096, OffsetPayload.offset(buf, at));
            }));
        add("read-response",
            out -> ReadResponse.encode(out, 4, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ReadResponse.isValid(buf, at));
                assertEquals("hello", string(buf, ReadResponse.entryIndex(at), ReadResponse.entryLength(buf, at)));
            }));
        add("read-corrupt",
            out -> ErrorPayload.encode(out, Opcodes.READ, StatusCodes.CORRUPT_RECORD, 4, ""),
            f -> withFrame(f, (buf, at) -> assertEquals(StatusCodes.CORRUPT_RECORD, FrameHeader.status(buf, at))));
        add("stat-request",
            out -> StatResponse.encodeRequest(out, 5),
            f -> withFrame(f, (buf, at) -> assertEquals(0, FrameHeader.payloadLength(buf, at))));
        add("stat-response",
            out -> StatResponse.encode(out, 5, 8192, 4096, 1, 128 << 20, 128 << 20, 100, 50, 10, 40, 8),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(StatResponse.isValid(buf, at));
                assertEquals(8192, StatResponse.tailOffset(buf, at));
                assertEquals(4096, StatResponse.durableOffset(buf, at));
                assertEquals(1, StatResponse.segments(buf, at));
                assertEquals(128 << 20, StatResponse.segmentLength(buf, at));
                assertEquals(128 << 20, StatResponse.bytes(buf, at));
                assertEquals(100, StatResponse.appends(buf, at));
                assertEquals(50, StatResponse.reads(buf, at));
                assertEquals(10, StatResponse.forces(buf, at));
                assertEquals(40, StatResponse.durableAppends(buf, at));
                assertEquals(8, StatResponse.groupCommits(buf, at));
            }));
        add("scan-request",
            out -> ScanRequest.encode(out, 6, 0, 65536, 100),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, ScanRequest.validate(buf, at));
                assertEquals(0, ScanRequest.fromOffset(buf, at));
                assertEquals(65536, ScanRequest.maxBytes(buf, at));
                assertEquals(100, ScanRequest.maxRecords(buf, at));
            }));
        add("scan-response",
            out ->
            {
                ScanResponse.encodeHeader(out, 6, 32, 1, ScanResponse.RECORD_HEADER_LENGTH + VALUE.length);
                ScanResponse.writeRecord(out, 0, Unpooled.wrappedBuffer(VALUE), 0, VALUE.length);
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ScanResponse.isValid(buf, at));
                assertEquals(32, ScanResponse.nextOffset(buf, at));
                assertEquals(1, ScanResponse.count(buf, at));
                final int record = ScanResponse.firstRecordIndex(at);
                assertEquals(0, ScanResponse.recordOffset(buf, record));
                assertEquals("hello", string(buf, ScanResponse.recordBytesIndex(record), VALUE.length));
            }));
        add("get-request",
            out -> KeyRequest.encode(out, 10, Opcodes.GET, (byte)0, KEY),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, KeyRequest.validate(buf, at));
                assertEquals(Opcodes.GET, FrameHeader.opcode(buf, at));
                assertEquals("user:42", string(buf, KeyRequest.keyIndex(at), KeyRequest.keyLength(buf, at)));
            }));
        add("get-response",
            out -> EntryResponse.encodeGet(out, 10, VERSION, NODE, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(EntryResponse.isValidGet(buf, at));
                assertEquals(VERSION, EntryResponse.version(buf, at));
                assertEquals(NODE, EntryResponse.versionNode(buf, at));
                assertEquals("hello", string(buf, EntryResponse.valueIndex(at), EntryResponse.valueLength(buf, at)));
            }));
        add("get-not-found",
            out -> FrameHeader.writeResponse(out, 0, Opcodes.GET, StatusCodes.NOT_FOUND, 10),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.NOT_FOUND, FrameHeader.status(buf, at));
                assertTrue(FrameValidator.isValidResponse(buf, at));
            }));
        add("exists-request",
            out -> KeyRequest.encode(out, 11, Opcodes.EXISTS, (byte)0, KEY),
            f -> withFrame(f, (buf, at) -> assertEquals(StatusCodes.OK, KeyRequest.validate(buf, at))));
        add("exists-response",
            out -> EntryResponse.encodeExists(out, 11, VERSION, NODE, VALUE.length),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(EntryResponse.isValidExists(buf, at));
                assertEquals(VALUE.length, EntryResponse.valueLength(buf, at));
            }));
        add("del-request",
            out -> KeyRequest.encode(out, 12, Opcodes.DEL, FrameFlags.DURABLE, KEY),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, KeyRequest.validate(buf, at));
                assertTrue(KeyRequest.isDurable(buf, at));
            }));
        add("set-request",
            out -> SetRequest.encode(out, 13, Opcodes.SET, KEY, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, SetRequest.validate(buf, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
                assertEquals("user:42", string(buf, SetRequest.keyIndex(at), SetRequest.keyLength(buf, at)));
                assertEquals("hello", string(buf, SetRequest.valueIndex(buf, at), SetRequest.valueLength(buf, at)));
            }));
        add("setsafe-request",
            out -> SetRequest.encode(out, 14, Opcodes.SETSAFE, KEY, VALUE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(Opcodes.SETSAFE, FrameHeader.opcode(buf, at));
                assertEquals(StatusCodes.OK, SetRequest.validate(buf, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
            }));
        add("set-response",
            out -> WriteResponse.encode(out, Opcodes.SETSAFE, 14, VERSION, NODE, 2, 2, 2),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(WriteResponse.isValid(buf, at));
                assertEquals(VERSION, WriteResponse.version(buf, at));
                assertEquals(NODE, WriteResponse.versionNode(buf, at));
                assertEquals(2, WriteResponse.replicas(buf, at));
                assertEquals(2, WriteResponse.peersAcked(buf, at));
                assertEquals(2, WriteResponse.peersLive(buf, at));
            }));
        add("set-not-enough-replicas",
            out -> ErrorPayload.encode(out, Opcodes.SET, StatusCodes.NOT_ENOUGH_REPLICAS, 13, "1 of 2 logds"),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.NOT_ENOUGH_REPLICAS, FrameHeader.status(buf, at));
                assertEquals("1 of 2 logds", ErrorPayload.message(buf, at));
            }));
        add("replicate-request",
            out -> ReplicateFrames.wrapForAppend(out, new ChangeFlyweight(), 15, 42, NODE, KEY.length, 2)
                .version(VERSION).versionNode(NODE).flags(0).valueLength(VALUE.length).checksum(CHECKSUM)
                .key(KEY).replicas(2, LOGDS, OFFSETS)
                .commit(),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, ReplicateRequest.validate(buf, at));
                assertEquals(42, ReplicateRequest.sequence(buf, at));
                assertEquals(NODE, ReplicateRequest.originNode(buf, at));
                assertChange(buf, ReplicateRequest.changeIndex(at));
            }));
        add("replicate-response",
            out -> ReplicateRequest.encodeAck(out, 15),
            f -> withFrame(f, (buf, at) -> assertTrue(ReplicateRequest.isValidAck(buf, at))));
        add("sync-request",
            out -> SyncRequest.encode(out, 16, 40, NODE),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, SyncRequest.validate(buf, at));
                assertEquals(40, SyncRequest.fromSequence(buf, at));
                assertEquals(NODE, SyncRequest.originNode(buf, at));
            }));
        add("sync-response-backlog",
            out ->
            {
                SyncResponse.encodeHeader(out, 16, true, SyncResponse.MODE_BACKLOG, 1, 42,
                    Change.length(KEY.length, 2));
                new ChangeFlyweight().wrapForAppend(out, KEY.length, 2)
                    .version(VERSION).versionNode(NODE).flags(0).valueLength(VALUE.length).checksum(CHECKSUM)
                    .key(KEY).replicas(2, LOGDS, OFFSETS)
                    .commit();
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(SyncResponse.isValid(buf, at));
                assertTrue(SyncResponse.hasMore(buf, at));
                assertEquals(SyncResponse.MODE_BACKLOG, SyncResponse.mode(buf, at));
                assertEquals(1, SyncResponse.changeCount(buf, at));
                assertEquals(42, SyncResponse.sequence(buf, at));
                assertChange(buf, SyncResponse.firstChangeIndex(at));
            }));
        add("sync-response-end",
            out -> SyncResponse.encodeHeader(out, 16, false, SyncResponse.MODE_BACKLOG, 0, 43, 0),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(SyncResponse.isValid(buf, at));
                assertTrue(!SyncResponse.hasMore(buf, at));
                assertEquals(43, SyncResponse.sequence(buf, at));
            }));
        add("probe-request",
            out -> ProbeRequest.encode(out, 17, ProbeRequest.MODE_SCAN, 100, 0),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, ProbeRequest.validate(buf, at));
                assertEquals(ProbeRequest.MODE_SCAN, ProbeRequest.mode(buf, at));
                assertEquals(100, ProbeRequest.maxKeys(buf, at));
            }));
        add("probe-response",
            out ->
            {
                ProbeResponse.encodeHeader(out, 17, 100, 100, 1, ProbeResponse.badReplicaLength(KEY.length));
                new BadReplicaFlyweight().wrapForAppend(out, KEY.length)
                    .logdId(2).reason(StatusCodes.CORRUPT_RECORD).offset(8192).version(VERSION).versionNode(NODE)
                    .key(KEY)
                    .commit();
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ProbeResponse.isValid(buf, at));
                assertEquals(100, ProbeResponse.nextCursor(buf, at));
                assertEquals(100, ProbeResponse.checked(buf, at));
                assertEquals(1, ProbeResponse.badCount(buf, at));
                final int bad = ProbeResponse.firstBadIndex(at);
                assertEquals(2, ProbeResponse.badLogdId(buf, bad));
                assertEquals(StatusCodes.CORRUPT_RECORD, ProbeResponse.badReason(buf, bad));
                assertEquals(8192, ProbeResponse.badOffset(buf, bad));
                assertEquals(VERSION, ProbeResponse.badVersion(buf, bad));
                assertEquals(NODE, ProbeResponse.badVersionNode(buf, bad));
                assertEquals("user:42", string(buf, ProbeResponse.badKeyIndex(bad), ProbeResponse.badKeyLength(buf, bad)));
            }));
        add("repair-request",
            out -> new RepairRequestFlyweight().wrapForAppend(out, 18, KEY.length, 1)
                .version(VERSION).versionNode(NODE).key(KEY).badReplicas(1, new short[] {2}, new long[] {8192})
                .commit(),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, RepairRequest.validate(buf, at));
                assertEquals(VERSION, RepairRequest.version(buf, at));
                assertEquals(1, RepairRequest.badCount(buf, at));
                assertEquals(2, RepairRequest.badLogdId(buf, at, 0));
                assertEquals(8192, RepairRequest.badOffset(buf, at, 0));
            }));
        add("repair-response",
            out -> RepairResponse.encode(out, 18, 2, new short[] {1, 4}, new long[] {4096, 512}),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(RepairResponse.isValid(buf, at));
                assertEquals(2, RepairResponse.replicaCount(buf, at));
                assertEquals(4, RepairResponse.replicaLogdId(buf, at, 1));
                assertEquals(512, RepairResponse.replicaOffset(buf, at, 1));
            }));
        add("dump-request",
            out -> DumpRequest.encode(out, 19, 0, 1000),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, DumpRequest.validate(buf, at));
                assertEquals(1000, DumpRequest.maxKeys(buf, at));
            }));
        add("dump-response",
            out ->
            {
                DumpResponse.encodeHeader(out, 19, 0, 1, Change.length(KEY.length, 2));
                new ChangeFlyweight().wrapForAppend(out, KEY.length, 2)
                    .version(VERSION).versionNode(NODE).flags(0).valueLength(VALUE.length).checksum(CHECKSUM)
                    .key(KEY).replicas(2, LOGDS, OFFSETS)
                    .commit();
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(DumpResponse.isValid(buf, at));
                assertEquals(0, DumpResponse.nextCursor(buf, at));
                assertEquals(1, DumpResponse.count(buf, at));
                assertChange(buf, DumpResponse.firstChangeIndex(at));
            }));

        add("heartbeat-request",
            out -> HeartbeatRequest.encode(out, 20, 123_456_789L, 5),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, HeartbeatRequest.validate(buf, at));
                assertEquals(123_456_789L, HeartbeatRequest.sendTimeNs(buf, at));
                assertEquals(5, HeartbeatRequest.viewEpoch(buf, at));
            }));
        add("heartbeat-response",
            out -> HeartbeatResponse.encode(out, 20, 123_456_789L, Roles.LOGD, HeartbeatResponse.STATE_SERVING, 1,
                8192, 0),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(HeartbeatResponse.isValid(buf, at));
                assertEquals(123_456_789L, HeartbeatResponse.sendTimeNs(buf, at));
                assertEquals(Roles.LOGD, HeartbeatResponse.role(buf, at));
                assertEquals(1, HeartbeatResponse.nodeId(buf, at));
                assertEquals(8192, HeartbeatResponse.dataBytes(buf, at));
                assertEquals(0, HeartbeatResponse.viewEpoch(buf, at));
            }));
        add("cluster-view-query",
            out -> ClusterView.encodeQuery(out, 21),
            f -> withFrame(f, (buf, at) -> assertTrue(ClusterView.isQuery(buf, at))));
        add("cluster-view-response",
            out ->
            {
                ClusterView.encodeViewHeader(out, 21, true, 5, 1, 1000, 1, 1, 0, ClusterView.nodeLength(9));
                ClusterView.writeNode(out, 1, Roles.LOGD, ClusterView.NODE_UP, 7558, 1_764_400_000_000L, 85, 8192,
                    "127.0.0.1");
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ClusterView.isValidView(buf, at));
                assertEquals(5, ClusterView.epoch(buf, at));
                assertEquals(1, ClusterView.nodeCount(buf, at));
                assertEquals(1000, ClusterView.keysChecked(buf, at));
                final int node = ClusterView.firstNodeIndex(at);
                assertEquals(1, ClusterView.nodeId(buf, node));
                assertEquals(ClusterView.NODE_UP, ClusterView.nodeState(buf, node));
                assertEquals(7558, ClusterView.nodePort(buf, node));
                assertEquals("127.0.0.1", ClusterView.nodeHost(buf, node));
                assertEquals(85, ClusterView.nodeLastRttUs(buf, node));
            }));

        add("value-record",
            out -> new ValueRecordFlyweight().wrapForAppend(out, KEY.length, VALUE.length)
                .flags(0).version(VERSION).versionNode(NODE).checksum(CHECKSUM).key(KEY).value(VALUE)
                .commit(),
            buf ->
            {
                final int at = buf.readerIndex();
                assertEquals(StatusCodes.OK, ValueRecord.validate(buf, at, buf.readableBytes()));
                assertEquals(VERSION, ValueRecord.version(buf, at));
                assertEquals(NODE, ValueRecord.versionNode(buf, at));
                assertEquals(CHECKSUM, ValueRecord.checksum(buf, at));
                assertEquals("hello", string(buf, ValueRecord.valueIndex(buf, at), ValueRecord.valueLength(buf, at)));
            });
    }

    private GoldenVectors()
    {
    }

    /**
     * @param name an example's name.
     * @return true unless it names the preface or a stored record rather than a frame.
     */
    public static boolean isFrame(final String name)
    {
        return !name.equals("preface") && !name.equals("value-record");
    }

    /**
     * Adds an example (also used by the role packages' vectors).
     */
    public static void add(final String name, final Consumer<ByteBuf> encoder, final Consumer<ByteBuf> check)
    {
        EXAMPLES.add(new Example(name, encoder, check));
    }

    /**
     * @return every example, in spec order.
     */
    public static List<Example> all()
    {
        return Collections.unmodifiableList(EXAMPLES);
    }

    /**
     * Runs a check against the frame that starts at the buffer's reader index.
     */
    public static void withFrame(final ByteBuf buf, final FrameCheck check)
    {
        final int at = buf.readerIndex();
        assertEquals(buf.readableBytes(), FrameHeader.frameLength(buf, at), "frame length field");
        check.check(buf, at);
    }

    private static void assertChange(final ByteBuf buf, final int change)
    {
        assertEquals(Change.length(KEY.length, 2), Change.validLength(buf, change, buf.writerIndex()));
        assertEquals(VERSION, Change.version(buf, change));
        assertEquals(NODE, Change.versionNode(buf, change));
        assertTrue(!Change.isTombstone(buf, change));
        assertEquals(VALUE.length, Change.valueLength(buf, change));
        assertEquals(CHECKSUM, Change.checksum(buf, change));
        assertEquals("user:42", string(buf, Change.keyIndex(change), Change.keyLength(buf, change)));
        assertEquals(2, Change.replicaCount(buf, change));
        assertEquals(1, Change.replicaLogdId(buf, change, 0));
        assertEquals(8192, Change.replicaOffset(buf, change, 1));
    }

    public static String string(final ByteBuf buf, final int index, final int length)
    {
        return buf.toString(index, length, StandardCharsets.US_ASCII);
    }

    /**
     * Assertions over one frame.
     */
    @FunctionalInterface
    public interface FrameCheck
    {
        void check(ByteBuf buf, int frame);
    }

    public static void main(final String[] args)
    {
        for (final Example example : EXAMPLES)
        {
            final ByteBuf buf = example.encode();
            System.out.println("<!-- example: " + example.name() + " -->");
            System.out.println("```hex");
            System.out.println(Hex.format(buf));
            System.out.println("```");
            buf.release();
        }
    }
}
