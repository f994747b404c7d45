package io.metrodb.protocol;

import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.netty.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips of random keys and values through encoder, {@link FrameDecoder} (in random chunks) and the
 * flyweight accessors, from empty to the maximum sizes.
 */
class CodecPropertiesTest
{
    private static final int MAX_FRAME = ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH;

    @Provide
    Arbitrary<byte[]> keys()
    {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(ProtocolLimits.MAX_KEY_LENGTH)
            .withSizeDistribution(net.jqwik.api.RandomDistribution.biased());
    }

    @Provide
    Arbitrary<byte[]> values()
    {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(64 * 1024)
            .withSizeDistribution(net.jqwik.api.RandomDistribution.biased());
    }

    @Property(tries = 300)
    void setRequestRoundTrips(
        @ForAll("keys") final byte[] key,
        @ForAll("values") final byte[] value,
        @ForAll final boolean safe,
        @ForAll @IntRange(min = 16, max = 4096) final int chunk)
    {
        final ByteBuf out = Unpooled.buffer();
        SetRequest.encode(out, 77, safe ? Opcodes.SETSAFE : Opcodes.SET, key, value);
        final ByteBuf frame = decodeOne(out, chunk);
        try
        {
            final int at = frame.readerIndex();
            assertEquals(StatusCodes.OK, FrameValidator.validateRequest(frame, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
            assertEquals(safe ? Opcodes.SETSAFE : Opcodes.SET, FrameHeader.opcode(frame, at));
            assertEquals(77, FrameHeader.requestId(frame, at));
            assertArrayEquals(key, bytes(frame, SetRequest.keyIndex(at), SetRequest.keyLength(frame, at)));
            assertArrayEquals(value, bytes(frame, SetRequest.valueIndex(frame, at), SetRequest.valueLength(frame, at)));
            assertEquals(value.length <= 100 ? StatusCodes.OK : StatusCodes.VALUE_TOO_LARGE,
                SetRequest.validate(frame, at, 100));
        }
        finally
        {
            frame.release();
        }
    }

    @Property(tries = 300)
    void getResponseRoundTrips(
        @ForAll("values") final byte[] value,
        @ForAll final long version,
        @ForAll @IntRange(min = 0, max = 0xFFFF) final int node,
        @ForAll @IntRange(min = 16, max = 4096) final int chunk)
    {
        final long hlc = version & Long.MAX_VALUE;
        final ByteBuf out = Unpooled.buffer();
        EntryResponse.encodeGet(out, 5, hlc, node, value);
        final ByteBuf frame = decodeOne(out, chunk);
        try
        {
            final int at = frame.readerIndex();
            assertTrue(FrameValidator.isValidResponse(frame, at));
            assertEquals(hlc, EntryResponse.version(frame, at));
            assertEquals(node, EntryResponse.versionNode(frame, at));
            assertArrayEquals(value, bytes(frame, EntryResponse.valueIndex(at), EntryResponse.valueLength(frame, at)));
        }
        finally
        {
            frame.release();
        }
    }

    @Property(tries = 200)
    void appendAndReadRoundTrip(@ForAll("values") final byte[] entry, @ForAll final boolean durable)
    {
        final ByteBuf out = Unpooled.buffer();
        AppendRequest.encode(out, 1, durable, entry);
        ReadResponse.encode(out, 2, entry);
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
        channel.writeInbound(out);
        final ByteBuf append = channel.readInbound();
        final ByteBuf read = channel.readInbound();
        try
        {
            assertEquals(StatusCodes.OK, FrameValidator.validateRequest(append, append.readerIndex(), 0));
            assertEquals(durable, AppendRequest.isDurable(append, append.readerIndex()));
            assertArrayEquals(entry, bytes(append, AppendRequest.entryIndex(append.readerIndex()), entry.length));
            assertTrue(FrameValidator.isValidResponse(read, read.readerIndex()));
            assertArrayEquals(entry, bytes(read, ReadResponse.entryIndex(read.readerIndex()),
                ReadResponse.entryLength(read, read.readerIndex())));
        }
        finally
        {
            append.release();
            read.release();
            assertFalse(channel.finishAndReleaseAll());
        }
    }

    @Property(tries = 300)
    void replicatedChangeRoundTrips(
        @ForAll("keys") final byte[] key,
        @ForAll final long version,
        @ForAll final boolean tombstone,
        @ForAll @IntRange(min = 0, max = 255) final int replicaCount,
        @ForAll final int checksum,
        @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) final int valueLength,
        @ForAll @Size(max = 255) final long[] offsetsSeed)
    {
        final short[] logdIds = new short[replicaCount];
        final long[] offsets = new long[replicaCount];
        for (int i = 0; i < replicaCount; i++)
        {
            logdIds[i] = (short)(i * 257);
            offsets[i] = (offsetsSeed.length == 0 ? i : offsetsSeed[i % offsetsSeed.length]) & Long.MAX_VALUE;
        }
        final ByteBuf out = Unpooled.buffer();
        ReplicateRequest.encode(out, 3, 1000, 9, version, 4, tombstone ? Change.TOMBSTONE : 0, valueLength,
            checksum, key, replicaCount, logdIds, offsets);
        final ByteBuf frame = decodeOne(out, Integer.MAX_VALUE);
        try
        {
            final int at = frame.readerIndex();
            assertEquals(StatusCodes.OK, FrameValidator.validateRequest(frame, at, 0));
            final int change = ReplicateRequest.changeIndex(at);
            assertEquals(version, Change.version(frame, change));
            assertEquals(tombstone, Change.isTombstone(frame, change));
            assertEquals(valueLength, Change.valueLength(frame, change));
            assertEquals(checksum, Change.checksum(frame, change));
            assertArrayEquals(key, bytes(frame, Change.keyIndex(change), Change.keyLength(frame, change)));
            assertEquals(replicaCount, Change.replicaCount(frame, change));
            for (int i = 0; i < replicaCount; i++)
            {
                assertEquals(logdIds[i] & 0xFFFF, Change.replicaLogdId(frame, change, i));
                assertEquals(offsets[i], Change.replicaOffset(frame, change, i));
            }
        }
        finally
        {
            frame.release();
        }
    }

    @Property(tries = 300)
    void valueRecordRoundTripsAndDetectsAnyFlippedValueBit(
        @ForAll("keys") final byte[] key,
        @ForAll("values") final byte[] value,
        @ForAll final long version,
        @ForAll @IntRange(min = 0, max = 63) final int bit)
    {
        final ByteBuf out = Unpooled.buffer();
        ValueRecord.write(out, 0, version, 2, key, value, ValueRecord.checksum(value));
        try
        {
            assertEquals(StatusCodes.OK, ValueRecord.validate(out, 0, out.readableBytes()));
            assertEquals(version, ValueRecord.version(out, 0));
            assertArrayEquals(key, bytes(out, ValueRecord.keyIndex(0), ValueRecord.keyLength(out, 0)));
            assertArrayEquals(value, bytes(out, ValueRecord.valueIndex(out, 0), ValueRecord.valueLength(out, 0)));
            if (value.length > 0)
            {
                final int flipAt = ValueRecord.valueIndex(out, 0) + (bit * 7919) % value.length;
                out.setByte(flipAt, out.getByte(flipAt) ^ (1 << (bit & 7)));
                assertEquals(StatusCodes.CORRUPT_RECORD, ValueRecord.validate(out, 0, out.readableBytes()));
            }
        }
        finally
        {
            out.release();
        }
    }

    @Example
    void largestKeyAndLargestValueFitTheDefaultFrameLimit()
    {
        final byte[] key = new byte[ProtocolLimits.MAX_KEY_LENGTH];
        final byte[] value = new byte[ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH];
        Arrays.fill(key, (byte)'k');
        value[0] = 1;
        value[value.length - 1] = 2;
        final ByteBuf out = Unpooled.buffer(value.length + key.length + 64);
        SetRequest.encode(out, 1, Opcodes.SETSAFE, key, value);
        final ByteBuf frame = decodeOne(out, 1 << 20);
        try
        {
            final int at = frame.readerIndex();
            assertEquals(StatusCodes.OK, FrameValidator.validateRequest(frame, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
            assertEquals(key.length, SetRequest.keyLength(frame, at));
            assertEquals(value.length, SetRequest.valueLength(frame, at));
            final int valueIndex = SetRequest.valueIndex(frame, at);
            assertEquals(1, frame.getByte(valueIndex));
            assertEquals(2, frame.getByte(valueIndex + value.length - 1));
            assertEquals(StatusCodes.VALUE_TOO_LARGE,
                SetRequest.validate(frame, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH - 1));
        }
        finally
        {
            frame.release();
        }
    }

    @Example
    void emptyValueAndOneByteKeyRoundTrip()
    {
        final ByteBuf out = Unpooled.buffer();
        SetRequest.encode(out, 1, Opcodes.SET, new byte[] {'k'}, new byte[0]);
        final ByteBuf frame = decodeOne(out, 1);
        try
        {
            final int at = frame.readerIndex();
            assertEquals(StatusCodes.OK, FrameValidator.validateRequest(frame, at, 0));
            assertEquals(0, SetRequest.valueLength(frame, at));
        }
        finally
        {
            frame.release();
        }
    }

    /** Feeds {@code bytes} to a frame decoder in chunks and returns the one frame it must yield. */
    private static ByteBuf decodeOne(final ByteBuf bytes, final int chunk)
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
        while (bytes.isReadable())
        {
            channel.writeInbound(bytes.readRetainedSlice(Math.min(chunk, bytes.readableBytes())));
        }
        bytes.release();
        final ByteBuf frame = channel.readInbound();
        assertNotNull(frame);
        assertFalse(channel.finishAndReleaseAll(), "exactly one frame expected");
        return frame;
    }

    private static byte[] bytes(final ByteBuf buf, final int index, final int length)
    {
        return ByteBufUtil.getBytes(buf, index, length);
    }
}
