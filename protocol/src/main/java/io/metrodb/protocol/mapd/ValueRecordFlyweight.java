package io.metrodb.protocol.mapd;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view of one {@link ValueRecord} in a buffer: {@link #wrap} a record to read it through named
 * accessors, or {@link #wrapForAppend} at a buffer's writer index, fill it with fluent setters and {@link #commit()}.
 * <pre>{@code
 * record.wrapForAppend(out, keyLength, valueLength)
 *     .flags(0).version(version).versionNode(nodeId).checksum(checksum)
 *     .key(frame, keyIndex, keyLength).value(frame, valueIndex, valueLength)
 *     .commit();
 * }</pre>
 * Every setter is called once per record (the format and the reserved field are written by
 * {@link #wrapForAppend}). Buffer type: Netty {@link ByteBuf}, for the reasons given in {@link ChangeFlyweight}:
 * the record goes straight into an APPEND frame. Not thread-safe: one per thread or per owner.
 */
public final class ValueRecordFlyweight
{
    private ByteBuf buffer;
    private int offset;
    private int keyLength;
    private int valueLength;

    /**
     * Points this view at an existing record, for reading.
     *
     * @param buffer buffer holding the record; not retained.
     * @param offset index of the record's first byte.
     * @return this.
     */
    public ValueRecordFlyweight wrap(final ByteBuf buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.keyLength = ValueRecord.keyLength(buffer, offset);
        this.valueLength = ValueRecord.valueLength(buffer, offset);
        return this;
    }

    /**
     * Starts a record at {@code out}'s writer index, growing {@code out} to hold it; {@link #commit()} moves the
     * writer index past it. The key length is checked first, so a refused record writes nothing.
     *
     * @param out         buffer to append to; not retained.
     * @param keyLength   the key's length, 0..65535.
     * @param valueLength the value's length, 0 for a tombstone.
     * @return this.
     * @throws IllegalArgumentException when the key length does not fit its field.
     */
    public ValueRecordFlyweight wrapForAppend(final ByteBuf out, final int keyLength, final int valueLength)
    {
        Keys.checkLength(keyLength);
        out.ensureWritable(ValueRecord.length(keyLength, valueLength));
        this.buffer = out;
        this.offset = out.writerIndex();
        this.keyLength = keyLength;
        this.valueLength = valueLength;
        out.setByte(offset + ValueRecord.FORMAT_OFFSET, ValueRecord.FORMAT_V1);
        out.setShort(offset + ValueRecord.KEY_LENGTH_OFFSET, keyLength);
        out.setShort(offset + ValueRecord.VERSION_NODE_OFFSET + 2, 0);
        out.setInt(offset + ValueRecord.VALUE_LENGTH_OFFSET, valueLength);
        return this;
    }

    /**
     * Ends a record started with {@link #wrapForAppend}: the writer index moves past it.
     */
    public void commit()
    {
        buffer.writerIndex(offset + encodedLength());
    }

    public int encodedLength()
    {
        return ValueRecord.length(keyLength, valueLength);
    }

    public int format()
    {
        return buffer.getUnsignedByte(offset + ValueRecord.FORMAT_OFFSET);
    }

    public int flags()
    {
        return buffer.getUnsignedByte(offset + ValueRecord.FLAGS_OFFSET);
    }

    /**
     * @param flags 0 or {@link ValueRecord#TOMBSTONE}.
     * @return this.
     */
    public ValueRecordFlyweight flags(final int flags)
    {
        buffer.setByte(offset + ValueRecord.FLAGS_OFFSET, flags);
        return this;
    }

    public boolean isTombstone()
    {
        return (flags() & ValueRecord.TOMBSTONE) != 0;
    }

    public long version()
    {
        return buffer.getLong(offset + ValueRecord.VERSION_OFFSET);
    }

    public ValueRecordFlyweight version(final long version)
    {
        buffer.setLong(offset + ValueRecord.VERSION_OFFSET, version);
        return this;
    }

    public int versionNode()
    {
        return buffer.getUnsignedShort(offset + ValueRecord.VERSION_NODE_OFFSET);
    }

    public ValueRecordFlyweight versionNode(final int versionNode)
    {
        buffer.setShort(offset + ValueRecord.VERSION_NODE_OFFSET, versionNode);
        return this;
    }

    public int checksum()
    {
        return buffer.getInt(offset + ValueRecord.CHECKSUM_OFFSET);
    }

    /**
     * @param checksum {@link ValueRecord#checksum(byte[])} of the value, shared with the {@link Change}.
     * @return this.
     */
    public ValueRecordFlyweight checksum(final int checksum)
    {
        buffer.setInt(offset + ValueRecord.CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public int keyIndex()
    {
        return offset + ValueRecord.KEY_OFFSET;
    }

    /**
     * @param src    buffer holding the key; not retained, reader index unchanged.
     * @param index  index of the key in {@code src}.
     * @param length the key length given to {@link #wrapForAppend}.
     * @return this.
     */
    public ValueRecordFlyweight key(final ByteBuf src, final int index, final int length)
    {
        checkLength("key", length, keyLength);
        buffer.setBytes(keyIndex(), src, index, length);
        return this;
    }

    /**
     * @see #key(ByteBuf, int, int)
     */
    public ValueRecordFlyweight key(final byte[] key)
    {
        checkLength("key", key.length, keyLength);
        buffer.setBytes(keyIndex(), key);
        return this;
    }

    public int valueLength()
    {
        return valueLength;
    }

    public int valueIndex()
    {
        return offset + ValueRecord.KEY_OFFSET + keyLength;
    }

    /**
     * @param src    buffer holding the value; not retained, reader index unchanged.
     * @param index  index of the value in {@code src}.
     * @param length the value length given to {@link #wrapForAppend}.
     * @return this.
     */
    public ValueRecordFlyweight value(final ByteBuf src, final int index, final int length)
    {
        checkLength("value", length, valueLength);
        buffer.setBytes(valueIndex(), src, index, length);
        return this;
    }

    /**
     * @see #value(ByteBuf, int, int)
     */
    public ValueRecordFlyweight value(final byte[] value)
    {
        checkLength("value", value.length, valueLength);
        buffer.setBytes(valueIndex(), value);
        return this;
    }

    private static void checkLength(final String what, final int length, final int wrapped)
    {
        if (length != wrapped)
        {
            throw new IllegalArgumentException(what + " length " + length + " is not the " + wrapped + " wrapped");
        }
    }
}
