package io.metrodb.protocol.mapd;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.testing.TestSeed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueRecordTest
{
    private static final byte[] KEY = {'v', 'r'};
    private static final byte[] VALUE = "hello, logd".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @RegisterExtension
    final TestSeed seed = new TestSeed("value.record.seed");

    /** KEY and VALUE, version 1 from node 1. */
    private static void writeRecord(final ByteBuf out)
    {
        new ValueRecordFlyweight().wrapForAppend(out, KEY.length, VALUE.length)
            .flags(0).version(1L).versionNode(1).checksum(ValueRecord.checksum(VALUE)).key(KEY).value(VALUE)
            .commit();
    }

    @Test
    void shouldComputeKnownCrc32c()
    {
        // RFC 3720 B.4: CRC32C of 32 zero bytes.
        assertEquals(0x8A9136AA, ValueRecord.checksum(new byte[32]));
        final ByteBuf buf = Unpooled.wrappedBuffer(new byte[40]);
        try
        {
            assertEquals(0x8A9136AA, ValueRecord.checksum(buf, 3, 32));
            assertEquals(0, ValueRecord.checksum(buf, 0, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripEveryField()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            buf.writeZero(7);
            final int at = buf.writerIndex();
            new ValueRecordFlyweight().wrapForAppend(buf, KEY.length, VALUE.length)
                .flags(0).version(Long.MAX_VALUE).versionNode(0xFFFF).checksum(ValueRecord.checksum(VALUE))
                .key(KEY).value(VALUE)
                .commit();
            final int length = buf.writerIndex() - at;
            assertEquals(ValueRecord.length(KEY.length, VALUE.length), length);
            assertEquals(StatusCodes.OK, ValueRecord.validate(buf, at, length));
            assertEquals(ValueRecord.FORMAT_V1, ValueRecord.format(buf, at));
            assertEquals(0, ValueRecord.flags(buf, at));
            assertFalse(ValueRecord.isTombstone(buf, at));
            assertEquals(KEY.length, ValueRecord.keyLength(buf, at));
            assertEquals(0xFFFF, ValueRecord.versionNode(buf, at));
            assertEquals(Long.MAX_VALUE, ValueRecord.version(buf, at));
            assertEquals(VALUE.length, ValueRecord.valueLength(buf, at));
            assertEquals(ValueRecord.checksum(VALUE), ValueRecord.checksum(buf, at));
            assertArrayEquals(KEY, ByteBufUtil.getBytes(buf, ValueRecord.keyIndex(at), KEY.length));
            assertArrayEquals(VALUE, ByteBufUtil.getBytes(buf, ValueRecord.valueIndex(buf, at), VALUE.length));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripTombstoneFromByteBufs()
    {
        final ByteBuf key = Unpooled.wrappedBuffer(KEY);
        final ByteBuf value = Unpooled.EMPTY_BUFFER;
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            new ValueRecordFlyweight().wrapForAppend(buf, KEY.length, 0)
                .flags(ValueRecord.TOMBSTONE).version(3L).versionNode(4).checksum(ValueRecord.checksum(new byte[0]))
                .key(key, 0, KEY.length).value(value, 0, 0)
                .commit();
            assertEquals(StatusCodes.OK, ValueRecord.validate(buf, 0, buf.writerIndex()));
            assertTrue(ValueRecord.isTombstone(buf, 0));
            assertEquals(0, ValueRecord.valueLength(buf, 0));
        }
        finally
        {
            key.release();
            buf.release();
        }
    }

    @Test
    void shouldReportCorruptValueAndBadLayout()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            writeRecord(buf);
            final int length = buf.writerIndex();
            final int last = length - 1;
            buf.setByte(last, buf.getByte(last) ^ 0x01);
            assertEquals(StatusCodes.CORRUPT_RECORD, ValueRecord.validate(buf, 0, length));
            buf.setByte(last, buf.getByte(last) ^ 0x01);
            assertEquals(StatusCodes.OK, ValueRecord.validate(buf, 0, length));

            buf.setByte(ValueRecord.FORMAT_OFFSET, 2);
            assertEquals(StatusCodes.BAD_REQUEST, ValueRecord.validate(buf, 0, length));
            buf.setByte(ValueRecord.FORMAT_OFFSET, ValueRecord.FORMAT_V1);
            buf.setShort(ValueRecord.KEY_LENGTH_OFFSET, 0);
            assertEquals(StatusCodes.BAD_REQUEST, ValueRecord.validate(buf, 0, length));
            buf.setShort(ValueRecord.KEY_LENGTH_OFFSET, KEY.length);
            buf.setInt(ValueRecord.VALUE_LENGTH_OFFSET, Integer.MAX_VALUE);
            assertEquals(StatusCodes.BAD_REQUEST, ValueRecord.validate(buf, 0, length));
            buf.setInt(ValueRecord.VALUE_LENGTH_OFFSET, -1);
            assertEquals(StatusCodes.BAD_REQUEST, ValueRecord.validate(buf, 0, length));
            buf.setInt(ValueRecord.VALUE_LENGTH_OFFSET, VALUE.length);
            buf.setByte(ValueRecord.FLAGS_OFFSET, ValueRecord.TOMBSTONE);
            assertEquals(StatusCodes.BAD_REQUEST, ValueRecord.validate(buf, 0, length));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectEveryTruncationWithoutThrowing()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            writeRecord(buf);
            final int whole = buf.writerIndex();
            for (int length = 0; length <= whole + 1; length++)
            {
                if (length == whole)
                {
                    continue;
                }
                final ByteBuf cut = Unpooled.buffer(length, length);
                try
                {
                    cut.writeBytes(buf, 0, Math.min(length, whole));
                    cut.writeZero(length - cut.writerIndex());
                    assertNotEquals(StatusCodes.OK, ValueRecord.validate(cut, 0, length), "length " + length);
                }
                finally
                {
                    cut.release();
                }
            }

            final SplittableRandom random = seed.random();
            for (int i = 0; i < 2_000; i++)
            {
                final int length = random.nextInt(whole + 16);
                final ByteBuf mutated = Unpooled.buffer(length, length);
                try
                {
                    mutated.writeBytes(buf, 0, Math.min(length, whole));
                    mutated.writeZero(length - mutated.writerIndex());
                    for (int flips = random.nextInt(4); flips > 0 && length > 0; flips--)
                    {
                        mutated.setByte(random.nextInt(length), random.nextInt(256));
                    }
                    assertDoesNotThrow(() -> ValueRecord.validate(mutated, 0, length), seed.describe());
                }
                finally
                {
                    mutated.release();
                }
            }
        }
        finally
        {
            buf.release();
        }
    }
}
