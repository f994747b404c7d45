package io.metrodb.protocol;

import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.logd.ScanRequest;
import io.metrodb.protocol.logd.ScanResponse;
import io.metrodb.protocol.logd.StatResponse;
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
    }

    private GoldenVectors()
    {
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
