package io.metrodb.protocol.mapd;

import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueRecordFlyweightTest
{
    private static final byte[] KEY = "user:42".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUE = "hello, world".getBytes(StandardCharsets.US_ASCII);

    private final ValueRecordFlyweight record = new ValueRecordFlyweight();

    @Test
    void shouldWriteTheDocumentedLayoutAndReadItBack()
    {
        final int checksum = ValueRecord.checksum(VALUE);
        final ByteBuf expected = Unpooled.buffer();
        // Garbage where the record goes: every byte must be written, the reserved field included.
        final ByteBuf actual = Unpooled.buffer(64).writeByte(7).writerIndex(1);
        actual.setBytes(1, new byte[]{ -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 });
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[3], KEY, VALUE);
        try
        {
            // The layout in ValueRecord's javadoc, field by field.
            expected.writeByte(ValueRecord.FORMAT_V1).writeByte(0).writeShort(KEY.length).writeShort(0xFEDC)
                .writeShort(0).writeLong(0x0102_0304_0506_0708L).writeInt(VALUE.length).writeInt(checksum)
                .writeBytes(KEY).writeBytes(VALUE);
            record.wrapForAppend(actual, KEY.length, VALUE.length)
                .flags(0).version(0x0102_0304_0506_0708L).versionNode(0xFEDC).checksum(checksum)
                .key(frame, 3, KEY.length).value(frame, 3 + KEY.length, VALUE.length)
                .commit();

            assertEquals(1 + record.encodedLength(), actual.writerIndex());
            assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(actual, 1, actual.writerIndex() - 1));
            assertEquals(StatusCodes.OK, ValueRecord.validate(actual, 1, record.encodedLength()));

            record.wrap(actual, 1);
            assertEquals(ValueRecord.FORMAT_V1, record.format());
            assertEquals(0x0102_0304_0506_0708L, record.version());
            assertEquals(0xFEDC, record.versionNode());
            assertEquals(checksum, record.checksum());
            assertArrayEquals(KEY, ByteBufUtil.getBytes(actual, record.keyIndex(), record.keyLength()));
            assertArrayEquals(VALUE, ByteBufUtil.getBytes(actual, record.valueIndex(), record.valueLength()));
        }
        finally
        {
            expected.release();
            actual.release();
            frame.release();
        }
    }

    @Test
    void shouldWriteATombstoneAndRefuseLengthsItWasNotWrappedFor()
    {
        final ByteBuf out = Unpooled.buffer();
        try
        {
            assertThrows(IllegalArgumentException.class, () -> record.wrapForAppend(out, 0x1_0000, 0));
            record.wrapForAppend(out, KEY.length, 0);
            assertThrows(IllegalArgumentException.class, () -> record.value(VALUE));
            assertEquals(0, out.writerIndex(), "nothing is visible before commit");
            record.flags(ValueRecord.TOMBSTONE).version(9).versionNode(1).checksum(0).key(KEY).value(new byte[0])
                .commit();
            assertTrue(ValueRecord.isTombstone(out, 0));
            assertEquals(StatusCodes.OK, ValueRecord.validate(out, 0, out.writerIndex()));
        }
        finally
        {
            out.release();
        }
    }
}
