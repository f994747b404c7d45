package io.metrodb.protocol.mapd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeFlyweightTest
{
    private static final byte[] KEY = "user:42".getBytes(StandardCharsets.US_ASCII);
    private static final short[] LOGD_IDS = { 3, (short)0xFFFF };
    private static final long[] OFFSETS = { 4096L, Long.MAX_VALUE };

    private final ChangeFlyweight change = new ChangeFlyweight();

    @Test
    void shouldWriteTheDocumentedLayoutAndReadItBack()
    {
        final ByteBuf expected = Unpooled.buffer();
        final ByteBuf actual = Unpooled.buffer(4).writeInt(0xA5A5A5A5);
        final ByteBuf key = Unpooled.wrappedBuffer(new byte[2], KEY);
        try
        {
            // The layout in Change's javadoc, field by field.
            expected.writeLong(0x0102_0304_0506_0708L).writeShort(0xFEDC).writeByte(Change.TOMBSTONE | Change.REPAIR)
                .writeByte(2).writeInt(123_456).writeInt(0xCAFEBABE).writeShort(KEY.length).writeBytes(KEY)
                .writeShort(LOGD_IDS[0]).writeLong(OFFSETS[0]).writeShort(LOGD_IDS[1]).writeLong(OFFSETS[1]);
            change.wrapForAppend(actual, KEY.length, 2)
                .version(0x0102_0304_0506_0708L).versionNode(0xFEDC).flags(Change.TOMBSTONE | Change.REPAIR)
                .valueLength(123_456).checksum(0xCAFEBABE).key(key, 2, KEY.length).replicas(2, LOGD_IDS, OFFSETS)
                .commit();

            assertEquals(4 + change.encodedLength(), actual.writerIndex(), "commit moves the writer index past it");
            assertEquals(Change.length(KEY.length, 2), change.encodedLength());
            assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(actual, 4, actual.writerIndex() - 4));
            assertEquals(0, key.readerIndex(), "the key's reader index is untouched");

            change.wrap(actual, 4);
            assertEquals(0x0102_0304_0506_0708L, change.version());
            assertEquals(0xFEDC, change.versionNode());
            assertTrue(change.isTombstone());
            assertTrue(change.isRepair());
            assertEquals(123_456, change.valueLength());
            assertEquals(0xCAFEBABE, change.checksum());
            assertEquals(KEY.length, change.keyLength());
            assertArrayEquals(KEY, ByteBufUtil.getBytes(actual, change.keyIndex(), change.keyLength()));
            assertEquals(2, change.replicaCount());
            assertEquals(0xFFFF, change.replicaLogdId(1));
            assertEquals(Long.MAX_VALUE, change.replicaOffset(1));
            assertEquals(Change.replicaOffset(actual, 4, 0), change.replicaOffset(0));
        }
        finally
        {
            expected.release();
            actual.release();
            key.release();
        }
    }

    @Test
    void shouldRefuseLengthsItWasNotWrappedForAndWriteNothingVisible()
    {
        final ByteBuf out = Unpooled.buffer();
        try
        {
            assertThrows(IllegalArgumentException.class, () -> change.wrapForAppend(out, 0x1_0000, 0));
            assertThrows(IllegalArgumentException.class, () -> change.wrapForAppend(out, 1, 256));
            change.wrapForAppend(out, KEY.length, 1);
            assertThrows(IllegalArgumentException.class, () -> change.key(new byte[KEY.length + 1]));
            change.key(KEY);
            assertThrows(IllegalArgumentException.class, () -> change.replicas(2, LOGD_IDS, OFFSETS));
            assertThrows(IllegalArgumentException.class, () -> change.replicas(1, null, null));
            assertEquals(0, out.writerIndex(), "nothing is visible before commit");
        }
        finally
        {
            out.release();
        }
    }
}
