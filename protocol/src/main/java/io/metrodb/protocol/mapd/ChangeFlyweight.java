package io.metrodb.protocol.mapd;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view of one {@link Change} in a buffer, in the manner of Aeron's flyweights: {@link #wrap} a change to
 * read it through named accessors, or {@link #wrapForAppend} at a buffer's writer index and fill it with fluent
 * setters, then {@link #commit()}. Nothing is allocated or copied beyond the bytes written.
 * <pre>{@code
 * change.wrapForAppend(out, keyLength, replicaCount)
 *     .version(version).versionNode(nodeId).flags(flags).valueLength(valueLength).checksum(checksum)
 *     .key(frame, keyIndex, keyLength).replicas(replicaCount, logdIds, offsets)
 *     .commit();
 * }</pre>
 * The key goes before the replica list (the list follows the key); every fixed field is set by a setter.
 * <p>
 * <b>Buffer type.</b> Netty {@link ByteBuf}, absolute {@code get/set} at the wrapped offset: changes are written
 * into frames and journal entries that go straight to Netty (REPLICATE, SYNC, DUMP) and are read from received
 * frames, and the protocol module is shared with the client, which carries no Agrona. The server's grid takes the
 * key through a {@code DirectBuffer} view of the same frame (io.metrodb.server.FrameView).
 * <p>
 * Not thread-safe: one per thread or per owner.
 */
public final class ChangeFlyweight
{
    private ByteBuf buffer;
    private int offset;
    private int keyLength;
    private int replicaCount;

    /**
     * Points this view at an existing change, for reading (or rewriting fixed fields in place).
     *
     * @param buffer buffer holding the change; not retained.
     * @param offset index of the change's first byte.
     * @return this.
     */
    public ChangeFlyweight wrap(final ByteBuf buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.keyLength = buffer.getUnsignedShort(offset + Change.KEY_LENGTH_OFFSET);
        this.replicaCount = buffer.getUnsignedByte(offset + Change.REPLICA_COUNT_OFFSET);
        return this;
    }

    /**
     * Starts a change at {@code out}'s writer index, growing {@code out} to hold it; {@link #commit()} moves the
     * writer index past it. Checks the lengths first, so a refused change writes nothing.
     *
     * @param out          buffer to append to; not retained.
     * @param keyLength    the key's length, 0..65535.
     * @param replicaCount replica locations that will follow the key, 0..255.
     * @return this.
     * @throws IllegalArgumentException when a length does not fit its field.
     */
    public ChangeFlyweight wrapForAppend(final ByteBuf out, final int keyLength, final int replicaCount)
    {
        Keys.checkLength(keyLength);
        Encoding.checkReplicaCount(replicaCount);
        out.ensureWritable(Change.length(keyLength, replicaCount));
        this.buffer = out;
        this.offset = out.writerIndex();
        this.keyLength = keyLength;
        this.replicaCount = replicaCount;
        return this;
    }

    /**
     * Ends a change started with {@link #wrapForAppend}: the writer index moves past it.
     */
    public void commit()
    {
        buffer.writerIndex(offset + encodedLength());
    }

    public ByteBuf buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /**
     * @return the change's length: fixed fields, key and replica list.
     */
    public int encodedLength()
    {
        return Change.length(keyLength, replicaCount);
    }

    public long version()
    {
        return buffer.getLong(offset + Change.VERSION_OFFSET);
    }

    public ChangeFlyweight version(final long version)
    {
        buffer.setLong(offset + Change.VERSION_OFFSET, version);
        return this;
    }

    public int versionNode()
    {
        return buffer.getUnsignedShort(offset + Change.VERSION_NODE_OFFSET);
    }

    public ChangeFlyweight versionNode(final int versionNode)
    {
        buffer.setShort(offset + Change.VERSION_NODE_OFFSET, versionNode);
        return this;
    }

    public int flags()
    {
        return buffer.getUnsignedByte(offset + Change.FLAGS_OFFSET);
    }

    /**
     * @param flags {@link Change#TOMBSTONE}, {@link Change#REPAIR}; written as a u8.
     * @return this.
     */
    public ChangeFlyweight flags(final int flags)
    {
        buffer.setByte(offset + Change.FLAGS_OFFSET, flags);
        return this;
    }

    public boolean isTombstone()
    {
        return (flags() & Change.TOMBSTONE) != 0;
    }

    public boolean isRepair()
    {
        return (flags() & Change.REPAIR) != 0;
    }

    public int valueLength()
    {
        return buffer.getInt(offset + Change.VALUE_LENGTH_OFFSET);
    }

    public ChangeFlyweight valueLength(final int valueLength)
    {
        buffer.setInt(offset + Change.VALUE_LENGTH_OFFSET, valueLength);
        return this;
    }

    public int checksum()
    {
        return buffer.getInt(offset + Change.CHECKSUM_OFFSET);
    }

    public ChangeFlyweight checksum(final int checksum)
    {
        buffer.setInt(offset + Change.CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int keyLength()
    {
        return keyLength;
    }

    /**
     * @return index of the key's first byte in {@link #buffer()}.
     */
    public int keyIndex()
    {
        return offset + Change.KEY_OFFSET;
    }

    /**
     * Writes the key length and bytes; the length must be the one given to {@link #wrapForAppend}.
     *
     * @param src    buffer holding the key; not retained, reader index unchanged.
     * @param index  index of the key in {@code src}.
     * @param length key length.
     * @return this.
     */
    public ChangeFlyweight key(final ByteBuf src, final int index, final int length)
    {
        checkKeyLength(length);
        buffer.setShort(offset + Change.KEY_LENGTH_OFFSET, length);
        buffer.setBytes(offset + Change.KEY_OFFSET, src, index, length);
        return this;
    }

    /**
     * @see #key(ByteBuf, int, int)
     */
    public ChangeFlyweight key(final byte[] key)
    {
        checkKeyLength(key.length);
        buffer.setShort(offset + Change.KEY_LENGTH_OFFSET, key.length);
        buffer.setBytes(offset + Change.KEY_OFFSET, key);
        return this;
    }

    public int replicaCount()
    {
        return replicaCount;
    }

    /**
     * Writes the replica count and list after the key; the count must be the one given to {@link #wrapForAppend}.
     *
     * @param count   entries of {@code logdIds} and {@code offsets} to write; the arrays may be longer.
     * @param logdIds replica logd ids (u16).
     * @param offsets replica offsets.
     * @return this.
     */
    public ChangeFlyweight replicas(final int count, final short[] logdIds, final long[] offsets)
    {
        Encoding.checkReplicas(count, logdIds, offsets);
        if (count != replicaCount)
        {
            throw new IllegalArgumentException("replica count " + count + " is not the " + replicaCount + " wrapped");
        }
        buffer.setByte(offset + Change.REPLICA_COUNT_OFFSET, count);
        int at = offset + Change.KEY_OFFSET + keyLength;
        for (int i = 0; i < count; i++, at += Change.REPLICA_LENGTH)
        {
            buffer.setShort(at, logdIds[i]);
            buffer.setLong(at + Change.REPLICA_OFFSET_OFFSET, offsets[i]);
        }
        return this;
    }

    public int replicaLogdId(final int i)
    {
        return buffer.getUnsignedShort(replicaIndex(i));
    }

    public long replicaOffset(final int i)
    {
        return buffer.getLong(replicaIndex(i) + Change.REPLICA_OFFSET_OFFSET);
    }

    private int replicaIndex(final int i)
    {
        return offset + Change.KEY_OFFSET + keyLength + i * Change.REPLICA_LENGTH;
    }

    private void checkKeyLength(final int length)
    {
        if (length != keyLength)
        {
            throw new IllegalArgumentException("key length " + length + " is not the " + keyLength + " wrapped");
        }
    }
}
