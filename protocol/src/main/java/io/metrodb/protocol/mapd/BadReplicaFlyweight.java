package io.metrodb.protocol.mapd;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view of one bad replica in a {@link ProbeResponse}: {@link #wrap} one to read it through named
 * accessors, or {@link #wrapForAppend} at a buffer's writer index, fill it with fluent setters and
 * {@link #commit()}.
 * <pre>{@code
 * bad.wrapForAppend(out, keyLength)
 *     .logdId(logdId).reason(reason).offset(offset).version(version).versionNode(versionNode)
 *     .key(key, keyIndex, keyLength)
 *     .commit();
 * }</pre>
 * Buffer type: Netty {@link ByteBuf}, for the reasons given in {@link ChangeFlyweight}. Not thread-safe.
 */
public final class BadReplicaFlyweight
{
    private ByteBuf buffer;
    private int offset;
    private int keyLength;

    /**
     * Points this view at a bad replica, for reading.
     *
     * @param buffer buffer holding it; not retained.
     * @param offset index of its first byte, e.g. {@link ProbeResponse#firstBadIndex}.
     * @return this.
     */
    public BadReplicaFlyweight wrap(final ByteBuf buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.keyLength = ProbeResponse.badKeyLength(buffer, offset);
        return this;
    }

    /**
     * Starts a bad replica at {@code out}'s writer index, growing {@code out} to hold it (the key length is written
     * then); {@link #commit()} moves the writer index past it. A refused key length writes nothing.
     *
     * @param out       buffer to append to; not retained.
     * @param keyLength the key's length, 0..65535.
     * @return this.
     * @throws IllegalArgumentException when the key length does not fit its field.
     */
    public BadReplicaFlyweight wrapForAppend(final ByteBuf out, final int keyLength)
    {
        Keys.checkLength(keyLength);
        out.ensureWritable(ProbeResponse.badReplicaLength(keyLength));
        this.buffer = out;
        this.offset = out.writerIndex();
        this.keyLength = keyLength;
        out.setShort(offset + ProbeResponse.BAD_KEY_LENGTH_OFFSET, keyLength);
        return this;
    }

    /**
     * Ends a bad replica started with {@link #wrapForAppend}: the writer index moves past it.
     */
    public void commit()
    {
        buffer.writerIndex(offset + encodedLength());
    }

    public int encodedLength()
    {
        return ProbeResponse.badReplicaLength(keyLength);
    }

    public int logdId()
    {
        return buffer.getUnsignedShort(offset + ProbeResponse.BAD_LOGD_ID_OFFSET);
    }

    public BadReplicaFlyweight logdId(final int logdId)
    {
        buffer.setShort(offset + ProbeResponse.BAD_LOGD_ID_OFFSET, logdId);
        return this;
    }

    public short reason()
    {
        return buffer.getShort(offset + ProbeResponse.BAD_REASON_OFFSET);
    }

    /**
     * @param reason the status code that made the replica bad.
     * @return this.
     */
    public BadReplicaFlyweight reason(final short reason)
    {
        buffer.setShort(offset + ProbeResponse.BAD_REASON_OFFSET, reason);
        return this;
    }

    public long offset()
    {
        return buffer.getLong(offset + ProbeResponse.BAD_OFFSET_OFFSET);
    }

    /**
     * @param replicaOffset the replica's offset in its logd.
     * @return this.
     */
    public BadReplicaFlyweight offset(final long replicaOffset)
    {
        buffer.setLong(offset + ProbeResponse.BAD_OFFSET_OFFSET, replicaOffset);
        return this;
    }

    public long version()
    {
        return buffer.getLong(offset + ProbeResponse.BAD_VERSION_OFFSET);
    }

    /**
     * @param version the grid entry's version when the replica was checked.
     * @return this.
     */
    public BadReplicaFlyweight version(final long version)
    {
        buffer.setLong(offset + ProbeResponse.BAD_VERSION_OFFSET, version);
        return this;
    }

    public int versionNode()
    {
        return buffer.getUnsignedShort(offset + ProbeResponse.BAD_VERSION_NODE_OFFSET);
    }

    public BadReplicaFlyweight versionNode(final int versionNode)
    {
        buffer.setShort(offset + ProbeResponse.BAD_VERSION_NODE_OFFSET, versionNode);
        return this;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public int keyIndex()
    {
        return offset + ProbeResponse.BAD_KEY_OFFSET;
    }

    /**
     * @param key the whole array is the key, of the length given to {@link #wrapForAppend}.
     * @return this.
     */
    public BadReplicaFlyweight key(final byte[] key)
    {
        checkKeyLength(key.length);
        buffer.setBytes(keyIndex(), key);
        return this;
    }

    /**
     * @param src    buffer holding the key; not retained, reader index unchanged.
     * @param index  index of the key in {@code src}.
     * @param length the key length given to {@link #wrapForAppend}.
     * @return this.
     */
    public BadReplicaFlyweight key(final ByteBuf src, final int index, final int length)
    {
        checkKeyLength(length);
        buffer.setBytes(keyIndex(), src, index, length);
        return this;
    }

    private void checkKeyLength(final int length)
    {
        if (length != keyLength)
        {
            throw new IllegalArgumentException("key length " + length + " is not the " + keyLength + " wrapped");
        }
    }
}
