package io.metrodb.ycsb;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record encoding: round trips of random records (any bytes, any names), field selection, and a clear error
 * for every way a value can fail to be a record.
 */
class RecordCodecTest
{
    private static final long SEED = Long.getLong("ycsb.codec.seed", System.nanoTime());

    @Test
    void shouldRoundTripRandomBinaryRecords()
    {
        final Random random = new Random(SEED);
        for (int round = 0; round < 200; round++)
        {
            final Map<String, byte[]> record = randomRecord(random);
            final byte[] encoded = RecordCodec.encode(record);
            final Map<String, byte[]> decoded = RecordCodec.decode(encoded, null);
            assertSameRecord(record, decoded, "seed " + SEED + ", round " + round);
        }
    }

    @Test
    void shouldReturnOnlyTheWantedFieldsInRecordOrder()
    {
        final Random random = new Random(SEED);
        for (int round = 0; round < 200; round++)
        {
            final Map<String, byte[]> record = randomRecord(random);
            final List<String> names = new ArrayList<>(record.keySet());
            final Set<String> wanted = new HashSet<>();
            final Map<String, byte[]> expected = new LinkedHashMap<>();
            for (final String name : names)
            {
                if (random.nextBoolean())
                {
                    wanted.add(name);
                    expected.put(name, record.get(name));
                }
            }
            wanted.add("absent-" + round);
            final Map<String, byte[]> decoded = RecordCodec.decode(RecordCodec.encode(record), wanted);
            assertSameRecord(expected, decoded, "seed " + SEED + ", round " + round + ", wanted " + wanted);
        }
    }

    @Test
    void shouldWriteTheDocumentedLayout()
    {
        final Map<String, byte[]> record = new LinkedHashMap<>();
        record.put("f", new byte[] {0, (byte)0xFF});
        record.put("é", new byte[0]);
        final byte[] expected = {
            0, 0, 0, 2,
            0, 0, 0, 1, 'f', 0, 0, 0, 2, 0, (byte)0xFF,
            0, 0, 0, 2, (byte)0xC3, (byte)0xA9, 0, 0, 0, 0};
        assertArrayEquals(expected, RecordCodec.encode(record));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, RecordCodec.encode(Map.of()));
        assertTrue(RecordCodec.decode(new byte[] {0, 0, 0, 0}, null).isEmpty());
    }

    @Test
    void shouldRejectEveryTruncationOfARecordWithAClearError()
    {
        final Random random = new Random(SEED);
        for (int round = 0; round < 20; round++)
        {
            final Map<String, byte[]> record = randomRecord(random, 16);
            final byte[] encoded = RecordCodec.encode(record);
            for (int length = 0; length < encoded.length; length++)
            {
                final byte[] truncated = Arrays.copyOf(encoded, length);
                final String context = "seed " + SEED + ", round " + round + ", " + length + " of " + encoded.length;
                final RecordCodec.RecordFormatException failure = assertThrows(
                    RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(truncated, null), context);
                assertTrue(failure.getMessage().startsWith("not a YCSB record: "), context + ": " + failure);
            }
        }
    }

    @Test
    void shouldRejectTrailingBytes()
    {
        final byte[] encoded = RecordCodec.encode(Map.of("field0", new byte[] {1, 2, 3}));
        final byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
        final RecordCodec.RecordFormatException failure = assertThrows(
            RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(longer, null));
        assertEquals("not a YCSB record: 1 bytes after the last of 1 fields, at byte " + encoded.length + " of " +
            longer.length, failure.getMessage());
    }

    @Test
    void shouldRejectAFieldCountTheBytesCannotHold()
    {
        final byte[] huge = ByteBuffer.allocate(12).putInt(Integer.MAX_VALUE).array();
        final RecordCodec.RecordFormatException failure = assertThrows(
            RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(huge, null));
        assertEquals("not a YCSB record: field count 2147483647 needs at least 17179869176 more bytes, the record " +
            "has 8 (12 bytes in all)", failure.getMessage());
    }

    @Test
    void shouldRejectNegativeLengths()
    {
        final byte[] negativeCount = ByteBuffer.allocate(4).putInt(-1).array();
        assertEquals("not a YCSB record: field count at byte 0 is negative: -1", assertThrows(
            RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(negativeCount, null)).getMessage());

        final byte[] negativeValue = ByteBuffer.allocate(13).putInt(1).putInt(1).put((byte)'f').putInt(-7).array();
        assertEquals("not a YCSB record: field 0 (f)'s value length at byte 9 is negative: -7", assertThrows(
            RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(negativeValue, null)).getMessage());
    }

    @Test
    void shouldRejectARepeatedName()
    {
        final byte[] twice = ByteBuffer.allocate(4 + 2 * 9)
            .putInt(2)
            .putInt(1).put((byte)'f').putInt(0)
            .putInt(1).put((byte)'f').putInt(0)
            .array();
        assertEquals("not a YCSB record: field 1 (f) at byte 13 repeats an earlier field's name", assertThrows(
            RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(twice, null)).getMessage());
    }

    @Test
    void shouldRejectANameThatIsNotUtf8()
    {
        final byte[] bad = ByteBuffer.allocate(14).putInt(1).putInt(2).put((byte)0xC3).put((byte)0x28).putInt(0)
            .array();
        assertEquals("not a YCSB record: field 0's name at byte 4 is not UTF-8", assertThrows(
            RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(bad, null)).getMessage());
    }

    @Test
    void shouldRejectPlainTextValue()
    {
        final byte[] text = "hello, world".getBytes(StandardCharsets.UTF_8);
        final RecordCodec.RecordFormatException failure = assertThrows(
            RecordCodec.RecordFormatException.class, () -> RecordCodec.decode(text, null));
        assertTrue(failure.getMessage().startsWith("not a YCSB record: field count 1751477356 needs"),
            failure.getMessage());
    }

    @Test
    void shouldRefuseToEncodeANameWithoutUtf8Form()
    {
        final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
            () -> RecordCodec.encode(Map.of("bad\uD800", new byte[0])));
        assertTrue(failure.getMessage().contains("is not valid Unicode"), failure.getMessage());
    }

    private static Map<String, byte[]> randomRecord(final Random random)
    {
        return randomRecord(random, 300);
    }

    private static Map<String, byte[]> randomRecord(final Random random, final int maxValueLength)
    {
        final Map<String, byte[]> record = new LinkedHashMap<>();
        final int fields = random.nextInt(12);
        for (int i = 0; i < fields; i++)
        {
            final byte[] value = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(maxValueLength)];
            random.nextBytes(value);
            record.put(randomName(random, i), value);
        }
        return record;
    }

    private static String randomName(final Random random, final int index)
    {
        final StringBuilder name = new StringBuilder();
        final int length = random.nextInt(8);
        for (int i = 0; i < length; i++)
        {
            // ASCII, Latin-1, CJK and a supplementary character: 1- to 4-byte UTF-8 forms.
            switch (random.nextInt(4))
            {
                case 0:
                    name.append((char)('a' + random.nextInt(26)));
                    break;
                case 1:
                    name.append((char)(0xC0 + random.nextInt(64)));
                    break;
                case 2:
                    name.append((char)(0x4E00 + random.nextInt(512)));
                    break;
                default:
                    name.appendCodePoint(0x1F600 + random.nextInt(64));
                    break;
            }
        }
        return name.append('#').append(index).toString();
    }

    private static void assertSameRecord(
        final Map<String, byte[]> expected, final Map<String, byte[]> actual, final String context)
    {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), context);
        for (final Map.Entry<String, byte[]> field : expected.entrySet())
        {
            assertArrayEquals(field.getValue(), actual.get(field.getKey()), context + ", field " + field.getKey());
        }
    }
}
