package io.metrodb.protocol;

import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.mapd.ValueRecordFlyweight;
import io.metrodb.protocol.netty.FrameDecoder;
import io.metrodb.protocol.testing.Generators;
import io.metrodb.protocol.testing.ReplicateFrames;
import io.metrodb.protocol.testing.TestSeed;
import io.metrodb.protocol.validation.FrameValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static io.metrodb.protocol.testing.Generators.anyLong;
import static io.metrodb.protocol.testing.Generators.intIn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips of random keys and values through encoder, {@link FrameDecoder} (in random chunks) and the
 * flyweight accessors, from empty to the maximum sizes, biased toward the edges: empty, one byte, the maximum
 * and its neighbours, powers of two, frame lengths one either side of a multiple of the chunk size.
 * The seed is printed per test; rerun one with {@code -Dcodec.seed=<seed>} (or {@code -Dmetrodb.seed}).
 */
class CodecPropertiesTest
{
    private static final int MAX_FRAME = ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH;
    private static final int MAX_RANDOM_VALUE = 64 * 1024;
    private static final int MIN_CHUNK = 16;
    private static final int MAX_CHUNK = 4096;

    @RegisterExtension
    final TestSeed seed = new TestSeed("codec.seed");

    @Test
    void setRequestRoundTrips()
    {
        final SplittableRandom random = seed.random();
        for (int t = 0; t < 300; t++)
        {
            final byte[] key = key(random);
            final boolean safe = random.nextBoolean();
            final byte opcode = safe ? Opcodes.SETSAFE : Opcodes.SET;
            final int chunk = chunk(random);
            final int overhead = frameLength((out) -> SetRequest.encode(out, 77, opcode, key, new byte[0]));
            final byte[] value = value(random, chunk, overhead, 100);
            final String in = "try " + t + ": key " + key.length + " B, value " + value.length + " B, chunk " + chunk +
                (safe ? ", SETSAFE" : ", SET");

            final ByteBuf out = Unpooled.buffer();
            SetRequest.encode(out, 77, opcode, key, value);
            final ByteBuf frame = decodeOne(out, chunk, in);
            try
            {
                final int at = frame.readerIndex();
                assertEquals(StatusCodes.OK,
                    FrameValidator.validateRequest(frame, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH), in);
                assertEquals(opcode, FrameHeader.opcode(frame, at), in);
                assertEquals(77, FrameHeader.requestId(frame, at), in);
                assertArrayEquals(key, bytes(frame, SetRequest.keyIndex(at), SetRequest.keyLength(frame, at)), in);
                assertArrayEquals(value,
                    bytes(frame, SetRequest.valueIndex(frame, at), SetRequest.valueLength(frame, at)), in);
                assertEquals(value.length <= 100 ? StatusCodes.OK : StatusCodes.VALUE_TOO_LARGE,
                    SetRequest.validate(frame, at, 100), in);
            }
            finally
            {
                frame.release();
            }
        }
    }

    @Test
    void getResponseRoundTrips()
    {
        final SplittableRandom random = seed.random();
        for (int t = 0; t < 300; t++)
        {
            // Versions are u64 on the wire, but no value uses the top bit (PROTOCOL.md, conventions).
            final long hlc = anyLong(random) & Long.MAX_VALUE;
            final int node = intIn(random, 0, 0xFFFF);
            final int chunk = chunk(random);
            final int overhead = frameLength((out) -> EntryResponse.encodeGet(out, 5, hlc, node, new byte[0]));
            final byte[] value = value(random, chunk, overhead, MAX_RANDOM_VALUE);
            final String in = "try " + t + ": value " + value.length + " B, version " + hlc + ", node " + node +
                ", chunk " + chunk;

            final ByteBuf out = Unpooled.buffer();
            EntryResponse.encodeGet(out, 5, hlc, node, value);
            final ByteBuf frame = decodeOne(out, chunk, in);
            try
            {
                final int at = frame.readerIndex();
                assertTrue(FrameValidator.isValidResponse(frame, at), in);
                assertEquals(hlc, EntryResponse.version(frame, at), in);
                assertEquals(node, EntryResponse.versionNode(frame, at), in);
                assertArrayEquals(value,
                    bytes(frame, EntryResponse.valueIndex(at), EntryResponse.valueLength(frame, at)), in);
            }
            finally
            {
                frame.release();
            }
        }
    }

    @Test
    void appendAndReadRoundTrip()
    {
        final SplittableRandom random = seed.random();
        for (int t = 0; t < 200; t++)
        {
            final byte[] entry = Generators.bytes(random, 0, MAX_RANDOM_VALUE);
            final boolean durable = random.nextBoolean();
            final String in = "try " + t + ": entry " + entry.length + " B" + (durable ? ", durable" : "");

            final ByteBuf out = Unpooled.buffer();
            AppendRequest.encode(out, 1, durable, entry);
            ReadResponse.encode(out, 2, entry);
            final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
            channel.writeInbound(out);
            final ByteBuf append = channel.readInbound();
            final ByteBuf read = channel.readInbound();
            try
            {
                assertEquals(StatusCodes.OK, FrameValidator.validateRequest(append, append.readerIndex(), 0), in);
                assertEquals(durable, AppendRequest.isDurable(append, append.readerIndex()), in);
                assertArrayEquals(entry, bytes(append, AppendRequest.entryIndex(append.readerIndex()), entry.length),
                    in);
                assertTrue(FrameValidator.isValidResponse(read, read.readerIndex()), in);
                assertArrayEquals(entry, bytes(read, ReadResponse.entryIndex(read.readerIndex()),
                    ReadResponse.entryLength(read, read.readerIndex())), in);
            }
            finally
            {
                append.release();
                read.release();
                assertFalse(channel.finishAndReleaseAll(), in);
            }
        }
    }

    @Test
    void replicatedChangeRoundTrips()
    {
        final SplittableRandom random = seed.random();
        for (int t = 0; t < 300; t++)
        {
            final byte[] key = key(random);
            final long version = anyLong(random);
            final boolean tombstone = random.nextBoolean();
            final int replicaCount = intIn(random, 0, 255);
            final int checksum = intIn(random, Integer.MIN_VALUE, Integer.MAX_VALUE);
            final int valueLength = intIn(random, 0, Integer.MAX_VALUE);
            final long[] offsetsSeed = new long[Generators.size(random, 0, 255)];
            for (int i = 0; i < offsetsSeed.length; i++)
            {
                offsetsSeed[i] = anyLong(random);
            }
            final String in = "try " + t + ": key " + key.length + " B, version " + Long.toUnsignedString(version) +
                ", replicas " + replicaCount + ", value length " + valueLength + (tombstone ? ", tombstone" : "");

            final short[] logdIds = new short[replicaCount];
            final long[] offsets = new long[replicaCount];
            for (int i = 0; i < replicaCount; i++)
            {
                logdIds[i] = (short)(i * 257);
                offsets[i] = (offsetsSeed.length == 0 ? i : offsetsSeed[i % offsetsSeed.length]) & Long.MAX_VALUE;
            }
            final ByteBuf out = Unpooled.buffer();
            ReplicateFrames.wrapForAppend(out, new ChangeFlyweight(), 3, 1000, 9, key.length, replicaCount)
                .version(version).versionNode(4).flags(tombstone ? Change.TOMBSTONE : 0).valueLength(valueLength)
                .checksum(checksum).key(key).replicas(replicaCount, logdIds, offsets)
                .commit();
            final ByteBuf frame = decodeOne(out, Integer.MAX_VALUE, in);
            try
            {
                final int at = frame.readerIndex();
                assertEquals(StatusCodes.OK, FrameValidator.validateRequest(frame, at, 0), in);
                final int change = ReplicateRequest.changeIndex(at);
                assertEquals(version, Change.version(frame, change), in);
                assertEquals(tombstone, Change.isTombstone(frame, change), in);
                assertEquals(valueLength, Change.valueLength(frame, change), in);
                assertEquals(checksum, Change.checksum(frame, change), in);
                assertArrayEquals(key, bytes(frame, Change.keyIndex(change), Change.keyLength(frame, change)), in);
                assertEquals(replicaCount, Change.replicaCount(frame, change), in);
                for (int i = 0; i < replicaCount; i++)
                {
                    assertEquals(logdIds[i] & 0xFFFF, Change.replicaLogdId(frame, change, i), in);
                    assertEquals(offsets[i], Change.replicaOffset(frame, change, i), in);
                }
            }
            finally
            {
                frame.release();
            }
        }
    }

    /**
     * Flips one bit that {@link ValueRecord#validate} covers, for every value size including empty ones. The
     * CRC32C covers the value only; the checksum field itself, the format and the two lengths are covered too
     * (the stored checksum must equal the CRC32C of the value, which is 0 for an empty value; the lengths must
     * fill the record exactly). Not covered here: key, version, version node, reserved bytes, and the tombstone
     * bit of an empty value (a SET of an empty value flipped becomes a valid DEL). A flip there yields another
     * well-formed record; logd's own CRC32C over the whole entry (LOGD.md) catches it, and a mapd read compares
     * key, version and checksum with the grid (MAPD.md).
     */
    @Test
    void valueRecordRoundTripsAndDetectsAnyFlippedCoveredBit()
    {
        final SplittableRandom random = seed.random();
        for (int t = 0; t < 300; t++)
        {
            final byte[] key = key(random);
            final byte[] value = Generators.bytes(random, 0, MAX_RANDOM_VALUE);
            final long version = anyLong(random);
            final int node = intIn(random, 0, 0xFFFF);
            final int flags = value.length == 0 && random.nextBoolean() ? ValueRecord.TOMBSTONE : 0;
            final String in = "try " + t + ": key " + key.length + " B, value " + value.length + " B, version " +
                Long.toUnsignedString(version) + ", flags " + flags;

            final ByteBuf out = Unpooled.buffer();
            new ValueRecordFlyweight().wrapForAppend(out, key.length, value.length)
                .flags(flags).version(version).versionNode(node).checksum(ValueRecord.checksum(value)).key(key)
                .value(value)
                .commit();
            try
            {
                assertEquals(StatusCodes.OK, ValueRecord.validate(out, 0, out.readableBytes()), in);
                assertEquals(version, ValueRecord.version(out, 0), in);
                assertEquals(node, ValueRecord.versionNode(out, 0), in);
                assertEquals(flags, ValueRecord.flags(out, 0), in);
                assertArrayEquals(key, bytes(out, ValueRecord.keyIndex(0), ValueRecord.keyLength(out, 0)), in);
                assertArrayEquals(value,
                    bytes(out, ValueRecord.valueIndex(out, 0), ValueRecord.valueLength(out, 0)), in);

                final int region = Generators.weighted(random, value.length > 0 ? 4 : 0, 2, 1, 1, 1,
                    value.length > 0 ? 1 : 0);
                final int byteIndex;
                final short expected;
                switch (region)
                {
                    case 0:
                        byteIndex = ValueRecord.valueIndex(out, 0) + Generators.intIn(random, 0, value.length - 1);
                        expected = StatusCodes.CORRUPT_RECORD;
                        break;
                    case 1:
                        byteIndex = ValueRecord.CHECKSUM_OFFSET + random.nextInt(4);
                        expected = StatusCodes.CORRUPT_RECORD;
                        break;
                    case 2:
                        byteIndex = ValueRecord.VALUE_LENGTH_OFFSET + random.nextInt(4);
                        expected = StatusCodes.BAD_REQUEST;
                        break;
                    case 3:
                        byteIndex = ValueRecord.KEY_LENGTH_OFFSET + random.nextInt(2);
                        expected = StatusCodes.BAD_REQUEST;
                        break;
                    case 4:
                        byteIndex = ValueRecord.FORMAT_OFFSET;
                        expected = StatusCodes.BAD_REQUEST;
                        break;
                    default:
                        // The tombstone bit of a record with a value: a tombstone must be empty.
                        byteIndex = ValueRecord.FLAGS_OFFSET;
                        expected = StatusCodes.BAD_REQUEST;
                        break;
                }
                final int bit = byteIndex == ValueRecord.FLAGS_OFFSET ? 0 : random.nextInt(8);
                out.setByte(byteIndex, out.getByte(byteIndex) ^ (1 << bit));
                final short status = ValueRecord.validate(out, 0, out.readableBytes());
                assertEquals(StatusCodes.name(expected), StatusCodes.name(status),
                    in + ", flipped bit " + bit + " of byte " + byteIndex);
            }
            finally
            {
                out.release();
            }
        }
    }

    @Test
    void largestKeyAndLargestValueFitTheDefaultFrameLimit()
    {
        final byte[] key = new byte[ProtocolLimits.MAX_KEY_LENGTH];
        final byte[] value = new byte[ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH];
        Arrays.fill(key, (byte)'k');
        value[0] = 1;
        value[value.length - 1] = 2;
        final ByteBuf out = Unpooled.buffer(value.length + key.length + 64);
        SetRequest.encode(out, 1, Opcodes.SETSAFE, key, value);
        final ByteBuf frame = decodeOne(out, 1 << 20, "largest");
        try
        {
            final int at = frame.readerIndex();
            assertEquals(StatusCodes.OK,
                FrameValidator.validateRequest(frame, at, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
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

    @Test
    void emptyValueAndOneByteKeyRoundTrip()
    {
        final ByteBuf out = Unpooled.buffer();
        SetRequest.encode(out, 1, Opcodes.SET, new byte[] {'k'}, new byte[0]);
        final ByteBuf frame = decodeOne(out, 1, "empty value");
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

    private static byte[] key(final SplittableRandom random)
    {
        return Generators.bytes(random, 1, ProtocolLimits.MAX_KEY_LENGTH);
    }

    /** Half biased, half uniform: a 16-byte chunk makes a 64 KiB value 4,096 writes, so not too many of those. */
    private static int chunk(final SplittableRandom random)
    {
        return random.nextBoolean() ?
            Generators.size(random, MIN_CHUNK, MAX_CHUNK) : random.nextInt(MIN_CHUNK, MAX_CHUNK + 1);
    }

    /**
     * A value for a frame of {@code overhead} bytes plus the value: a third of the time the frame ends within
     * one byte of a chunk boundary, a sixth within one byte of {@code limit}, else any biased size up to the
     * maximum.
     */
    private static byte[] value(final SplittableRandom random, final int chunk, final int overhead, final int limit)
    {
        final int length;
        final int pick = random.nextInt(6);
        if (pick < 2)
        {
            final int firstMultiple = overhead / chunk + 1;
            final int lastMultiple = Math.max(firstMultiple, (MAX_RANDOM_VALUE + overhead) / chunk);
            final int boundary = chunk * (firstMultiple + random.nextInt(lastMultiple - firstMultiple + 1));
            length = Generators.near(random, 0, MAX_RANDOM_VALUE, boundary - overhead);
        }
        else if (pick == 2)
        {
            length = Generators.near(random, 0, MAX_RANDOM_VALUE, limit);
        }
        else
        {
            length = Generators.size(random, 0, MAX_RANDOM_VALUE);
        }
        final byte[] value = new byte[length];
        random.nextBytes(value);
        return value;
    }

    private static int frameLength(final Consumer<ByteBuf> encoder)
    {
        final ByteBuf out = Unpooled.buffer();
        try
        {
            encoder.accept(out);
            return out.readableBytes();
        }
        finally
        {
            out.release();
        }
    }

    /** Feeds {@code bytes} to a frame decoder in chunks and returns the one frame it must yield. */
    private static ByteBuf decodeOne(final ByteBuf bytes, final int chunk, final String in)
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
        while (bytes.isReadable())
        {
            channel.writeInbound(bytes.readRetainedSlice(Math.min(chunk, bytes.readableBytes())));
        }
        bytes.release();
        final ByteBuf frame = channel.readInbound();
        assertNotNull(frame, in);
        assertFalse(channel.finishAndReleaseAll(), "exactly one frame expected: " + in);
        return frame;
    }

    private static byte[] bytes(final ByteBuf buf, final int index, final int length)
    {
        return ByteBufUtil.getBytes(buf, index, length);
    }
}
