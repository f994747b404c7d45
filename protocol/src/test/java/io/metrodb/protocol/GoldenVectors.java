package io.metrodb.protocol;

import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.mapd.ValueRecordFlyweight;
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

        LogdVectors.register();
        MapdVectors.register();
        MondVectors.register();
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

    static void assertChange(final ByteBuf buf, final int change)
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
