package io.metrodb.ycsb;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A YCSB record (field name to value) as one MetroDB value, binary-safe (any bytes in a value, any name):
 * <pre>
 *   int32 fieldCount
 *   fieldCount times: int32 nameLength, name (UTF-8), int32 valueLength, value bytes
 * </pre>
 * Integers are big-endian; lengths and the count are at least 0. A record has no padding and nothing after its last
 * field, and no name twice. {@link #decode} checks all of that on the whole record (also when it returns only some
 * fields) and fails with a {@link RecordFormatException} that says where and what is wrong.
 */
final class RecordCodec
{
    /** Bytes of a field with an empty name and an empty value: the two lengths. */
    private static final int MIN_FIELD_LENGTH = 2 * Integer.BYTES;
    /** Largest record: a Java array's limit. */
    private static final long MAX_RECORD_LENGTH = Integer.MAX_VALUE - 16;

    private RecordCodec()
    {
    }

    /**
     * @param fields the record's fields in the order to write them; names and values non-null.
     * @return the encoded record.
     * @throws IllegalArgumentException when a name is not valid Unicode (a lone surrogate), or the record would be
     *                                  larger than an array can be.
     */
    static byte[] encode(final Map<String, byte[]> fields)
    {
        final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        final byte[][] names = new byte[fields.size()][];
        long length = Integer.BYTES;
        int i = 0;
        for (final Map.Entry<String, byte[]> field : fields.entrySet())
        {
            names[i] = nameBytes(utf8, field.getKey());
            length += MIN_FIELD_LENGTH + names[i].length + field.getValue().length;
            i++;
        }
        if (length > MAX_RECORD_LENGTH)
        {
            throw new IllegalArgumentException("record of " + fields.size() + " fields would be " + length +
                " bytes, more than " + MAX_RECORD_LENGTH);
        }
        final ByteBuffer buffer = ByteBuffer.allocate((int)length);
        buffer.putInt(fields.size());
        i = 0;
        for (final byte[] value : fields.values())
        {
            buffer.putInt(names[i].length).put(names[i]);
            buffer.putInt(value.length).put(value);
            i++;
        }
        return buffer.array();
    }

    /**
     * @param record an encoded record.
     * @param wanted the names of the fields to return, or {@code null} for all of them.
     * @return the wanted fields the record has, in the record's order (a wanted name it does not have is left out).
     * @throws RecordFormatException when {@code record} is not a well-formed record.
     */
    static Map<String, byte[]> decode(final byte[] record, final Set<String> wanted)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(record);
        final int count = readLength(buffer, "field count");
        if (count > buffer.remaining() / MIN_FIELD_LENGTH)
        {
            throw new RecordFormatException("field count " + count + " needs at least " +
                (long)count * MIN_FIELD_LENGTH + " more bytes, the record has " + buffer.remaining() + " (" +
                record.length + " bytes in all)");
        }
        final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        final Map<String, byte[]> all = new LinkedHashMap<>(mapCapacity(count));
        final Map<String, byte[]> fields = wanted == null ? all : new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final int nameAt = buffer.position();
            final int nameLength = readLength(buffer, "field " + i + "'s name length");
            final String name = readName(buffer, nameLength, utf8, i, nameAt);
            final int valueLength = readLength(buffer, "field " + i + " (" + name + ")'s value length");
            final byte[] value = readBytes(buffer, valueLength, "field " + i + " (" + name + ")'s value");
            if (all.put(name, value) != null)
            {
                throw new RecordFormatException("field " + i + " (" + name + ") at byte " + nameAt +
                    " repeats an earlier field's name");
            }
            if (wanted != null && wanted.contains(name))
            {
                fields.put(name, value);
            }
        }
        if (buffer.hasRemaining())
        {
            throw new RecordFormatException(buffer.remaining() + " bytes after the last of " + count +
                " fields, at byte " + buffer.position() + " of " + record.length);
        }
        return fields;
    }

    private static byte[] nameBytes(final CharsetEncoder utf8, final String name)
    {
        try
        {
            final ByteBuffer encoded = utf8.reset().encode(CharBuffer.wrap(name));
            final byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        }
        catch (final CharacterCodingException e)
        {
            throw new IllegalArgumentException("field name " + name + " is not valid Unicode, so has no UTF-8 form");
        }
    }

    private static int mapCapacity(final int count)
    {
        return (int)Math.min(1 << 20, (long)count * 4 / 3 + 1);
    }

    private static int readLength(final ByteBuffer buffer, final String what)
    {
        if (buffer.remaining() < Integer.BYTES)
        {
            throw new RecordFormatException("record ends at byte " + buffer.limit() + " inside " + what +
                " (needs 4 bytes at byte " + buffer.position() + ")");
        }
        final int at = buffer.position();
        final int length = buffer.getInt();
        if (length < 0)
        {
            throw new RecordFormatException(what + " at byte " + at + " is negative: " + length);
        }
        return length;
    }

    private static byte[] readBytes(final ByteBuffer buffer, final int length, final String what)
    {
        if (length > buffer.remaining())
        {
            throw new RecordFormatException(what + " at byte " + buffer.position() + " needs " + length +
                " bytes, the record has " + buffer.remaining() + " left");
        }
        final byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    private static String readName(
        final ByteBuffer buffer, final int length, final CharsetDecoder utf8, final int index, final int at)
    {
        final byte[] bytes = readBytes(buffer, length, "field " + index + "'s name");
        try
        {
            final CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        }
        catch (final CharacterCodingException e)
        {
            throw new RecordFormatException("field " + index + "'s name at byte " + at + " is not UTF-8");
        }
    }

    /**
     * A value that is not a well-formed record (another program's value under a YCSB key, or a damaged one).
     */
    static final class RecordFormatException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        RecordFormatException(final String message)
        {
            super("not a YCSB record: " + message);
        }
    }
}
