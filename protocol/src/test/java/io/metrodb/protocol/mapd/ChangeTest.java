package io.metrodb.protocol.mapd;

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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeTest
{
    static final byte[] KEY = {'c', 'h', 'g'};
    static final short[] LOGD_IDS = {1, (short)0xFFFF, 3, 99};
    static final long[] OFFSETS = {0L, Long.MAX_VALUE, 4096L, 99L};

    @RegisterExtension
    final TestSeed seed = new TestSeed("change.seed");

    /** Writes the change the tests share: 3 replicas of 4 array slots, tombstone flag set. */
    static void writeSample(final ByteBuf out, final long version)
    {
        new ChangeFlyweight().wrapForAppend(out, KEY.length, 3)
            .version(version).versionNode(0xABCD).flags(Change.TOMBSTONE).valueLength(0).checksum(0x12345678)
            .key(KEY).replicas(3, LOGD_IDS, OFFSETS)
            .commit();
    }

    /** A change of version 7 from node 1 with one replica: the flags and value length vary. */
    private static void write(final ByteBuf out, final int flags, final int valueLength)
    {
        new ChangeFlyweight().wrapForAppend(out, KEY.length, 1)
            .version(7L).versionNode(1).flags(flags).valueLength(valueLength).checksum(0)
            .key(KEY).replicas(1, LOGD_IDS, OFFSETS)
            .commit();
    }

    static void assertSample(final ByteBuf buf, final int at, final long version)
    {
        assertEquals(version, Change.version(buf, at));
        assertEquals(0xABCD, Change.versionNode(buf, at));
        assertEquals(Change.TOMBSTONE, Change.flags(buf, at));
        assertTrue(Change.isTombstone(buf, at));
        assertFalse(Change.isRepair(buf, at));
        assertEquals(0, Change.valueLength(buf, at));
        assertEquals(0x12345678, Change.checksum(buf, at));
        assertEquals(KEY.length, Change.keyLength(buf, at));
        assertArrayEquals(KEY, ByteBufUtil.getBytes(buf, Change.keyIndex(at), KEY.length));
        assertEquals(3, Change.replicaCount(buf, at));
        for (int i = 0; i < 3; i++)
        {
            assertEquals(LOGD_IDS[i] & 0xFFFF, Change.replicaLogdId(buf, at, i));
            assertEquals(OFFSETS[i], Change.replicaOffset(buf, at, i));
        }
    }

    @Test
    void shouldCarryTheRepairFlagBesideTheTombstoneFlag()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            write(buf, Change.TOMBSTONE | Change.REPAIR, 0);
            assertTrue(Change.isRepair(buf, 0));
            assertTrue(Change.isTombstone(buf, 0));
            assertEquals(Change.TOMBSTONE | Change.REPAIR, Change.flags(buf, 0));
            buf.clear();
            write(buf, Change.REPAIR, 5);
            assertTrue(Change.isRepair(buf, 0));
            assertFalse(Change.isTombstone(buf, 0));
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
            buf.writeZero(5);
            final int at = buf.writerIndex();
            writeSample(buf, -2L);
            assertEquals(Change.length(KEY.length, 3), buf.writerIndex() - at);
            assertEquals(Change.length(KEY.length, 3), Change.length(buf, at));
            assertEquals(Change.length(KEY.length, 3), Change.validLength(buf, at, buf.writerIndex()));
            assertSample(buf, at, -2L);
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldWriteKeyFromByteBufAndNoReplicas()
    {
        final ByteBuf key = Unpooled.wrappedBuffer(new byte[] {0, 'x', 'y', 0});
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            new ChangeFlyweight().wrapForAppend(buf, 2, 0)
                .version(1L).versionNode(2).flags(0).valueLength(512).checksum(-1)
                .key(key, 1, 2).replicas(0, null, null)
                .commit();
            assertEquals(Change.FIXED_LENGTH + 2, buf.writerIndex());
            assertFalse(Change.isTombstone(buf, 0));
            assertEquals(512, Change.valueLength(buf, 0));
            assertEquals(-1, Change.checksum(buf, 0));
            assertEquals(0, Change.replicaCount(buf, 0));
            assertArrayEquals(new byte[] {'x', 'y'}, ByteBufUtil.getBytes(buf, Change.keyIndex(0), 2));
        }
        finally
        {
            key.release();
            buf.release();
        }
    }

    @Test
    void shouldRefuseReplicaCountTheArraysCannotHold()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            assertThrows(IllegalArgumentException.class,
                () -> new ChangeFlyweight().wrapForAppend(buf, KEY.length, 5).key(KEY).replicas(5, LOGD_IDS, OFFSETS));
            assertThrows(IllegalArgumentException.class,
                () -> new ChangeFlyweight().wrapForAppend(buf, KEY.length, 256));
            assertEquals(0, buf.writerIndex());
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldReturnMinusOneUnlessTheWholeChangeFits()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            writeSample(buf, 1L);
            final int length = buf.writerIndex();
            for (int end = 0; end < length; end++)
            {
                assertEquals(-1, Change.validLength(buf, 0, end), "end " + end);
            }
            assertEquals(length, Change.validLength(buf, 0, length + 100));

            buf.setShort(Change.KEY_LENGTH_OFFSET, 0);
            assertEquals(-1, Change.validLength(buf, 0, length + 100));
            buf.setShort(Change.KEY_LENGTH_OFFSET, 0xFFFF);
            assertEquals(-1, Change.validLength(buf, 0, length + 100));
            buf.setShort(Change.KEY_LENGTH_OFFSET, KEY.length);
            buf.setInt(Change.VALUE_LENGTH_OFFSET, -1);
            assertEquals(-1, Change.validLength(buf, 0, length + 100));
            buf.setInt(Change.VALUE_LENGTH_OFFSET, 0);
            buf.setByte(Change.REPLICA_COUNT_OFFSET, 4);
            assertEquals(-1, Change.validLength(buf, 0, length));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final SplittableRandom random = seed.random();
        for (int i = 0; i < 5_000; i++)
        {
            final int capacity = random.nextInt(80);
            final ByteBuf buf = Unpooled.buffer(capacity, capacity);
            try
            {
                final byte[] bytes = new byte[capacity];
                random.nextBytes(bytes);
                if (capacity > Change.KEY_LENGTH_OFFSET + 1 && random.nextBoolean())
                {
                    bytes[Change.KEY_LENGTH_OFFSET] = 0;
                    bytes[Change.VALUE_LENGTH_OFFSET] = 0;
                    bytes[Change.REPLICA_COUNT_OFFSET] = (byte)random.nextInt(3);
                }
                buf.writeBytes(bytes);
                final int count = random.nextInt(3);
                assertDoesNotThrow(() -> Change.validLength(buf, 0, capacity), seed.describe());
                assertDoesNotThrow(() -> Change.isValidRun(buf, 0, capacity, count), seed.describe());
            }
            finally
            {
                buf.release();
            }
        }
    }
}
