package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.netty.buffer.ByteBuf;

/**
 * A reusable view of one {@link RepairRequest} frame: {@link #wrap} a received frame to read it through named
 * accessors, or {@link #wrapForAppend} at a buffer's writer index (the frame header and lengths are written then),
 * fill it with fluent setters and {@link #commit()}.
 * <pre>{@code
 * repair.wrapForAppend(out, requestId, key.length, badCount)
 *     .version(version).versionNode(versionNode).key(key).badReplicas(badCount, logdIds, offsets)
 *     .commit();
 * }</pre>
 * Buffer type: Netty {@link ByteBuf}, for the reasons given in {@link ChangeFlyweight}. Not thread-safe.
 */
public final class RepairRequestFlyweight
{
    private ByteBuf buffer;
    private int frame;
    private int payload;
    private int keyLength;
    private int badCount;

    /**
     * Points this view at a received frame, for reading.
     *
     * @param buffer buffer holding the frame; not retained.
     * @param frame  index of the frame header.
     * @return this.
     */
    public RepairRequestFlyweight wrap(final ByteBuf buffer, final int frame)
    {
        this.buffer = buffer;
        this.frame = frame;
        this.payload = FrameHeader.payloadIndex(frame);
        this.keyLength = RepairRequest.keyLength(buffer, frame);
        this.badCount = RepairRequest.badCount(buffer, frame);
        return this;
    }

    /**
     * Starts a frame at {@code out}'s writer index, growing {@code out} to hold it: writes the header, the key
     * length, the bad count and the reserved byte; {@link #commit()} moves the writer index past the frame.
     * Lengths are checked first, so a refused frame writes nothing.
     *
     * @param out       buffer to append to; not retained.
     * @param requestId the request's id.
     * @param keyLength the key's length, 0..65535.
     * @param badCount  bad replicas that will follow the key, 0..255.
     * @return this.
     * @throws IllegalArgumentException when a length does not fit its field.
     */
    public RepairRequestFlyweight wrapForAppend(
        final ByteBuf out, final long requestId, final int keyLength, final int badCount)
    {
        Keys.checkLength(keyLength);
        Encoding.checkReplicaCount(badCount);
        final int payloadLength = RepairRequest.KEY_OFFSET + keyLength + badCount * Change.REPLICA_LENGTH;
        out.ensureWritable(FrameHeader.HEADER_LENGTH + payloadLength);
        this.buffer = out;
        this.frame = out.writerIndex();
        this.payload = FrameHeader.payloadIndex(frame);
        this.keyLength = keyLength;
        this.badCount = badCount;
        FrameHeader.writeRequest(out, payloadLength, Opcodes.REPAIR, (byte)0, requestId);
        out.writerIndex(frame);
        out.setByte(payload + RepairRequest.BAD_COUNT_OFFSET, badCount);
        out.setByte(payload + RepairRequest.BAD_COUNT_OFFSET + 1, 0);
        out.setShort(payload + RepairRequest.KEY_LENGTH_OFFSET, keyLength);
        return this;
    }

    /**
     * Ends a frame started with {@link #wrapForAppend}: the writer index moves past it.
     */
    public void commit()
    {
        buffer.writerIndex(frame + encodedLength());
    }

    /**
     * @return the frame's length, header included.
     */
    public int encodedLength()
    {
        return FrameHeader.HEADER_LENGTH + RepairRequest.KEY_OFFSET + keyLength + badCount * Change.REPLICA_LENGTH;
    }

    public long version()
    {
        return buffer.getLong(payload + RepairRequest.VERSION_OFFSET);
    }

    public RepairRequestFlyweight version(final long version)
    {
        buffer.setLong(payload + RepairRequest.VERSION_OFFSET, version);
        return this;
    }

    public int versionNode()
    {
        return buffer.getUnsignedShort(payload + RepairRequest.VERSION_NODE_OFFSET);
    }

    public RepairRequestFlyweight versionNode(final int versionNode)
    {
        buffer.setShort(payload + RepairRequest.VERSION_NODE_OFFSET, versionNode);
        return this;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public int keyIndex()
    {
        return payload + RepairRequest.KEY_OFFSET;
    }

    /**
     * @param key the whole array is the key, of the length given to {@link #wrapForAppend}.
     * @return this.
     */
    public RepairRequestFlyweight key(final byte[] key)
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
    public RepairRequestFlyweight key(final ByteBuf src, final int index, final int length)
    {
        checkKeyLength(length);
        buffer.setBytes(keyIndex(), src, index, length);
        return this;
    }

    public int badCount()
    {
        return badCount;
    }

    /**
     * Writes the bad replica list after the key.
     *
     * @param count   the bad count given to {@link #wrapForAppend}.
     * @param logdIds logd ids (u16) of the bad replicas; the array may be longer.
     * @param offsets their offsets.
     * @return this.
     */
    public RepairRequestFlyweight badReplicas(final int count, final short[] logdIds, final long[] offsets)
    {
        Encoding.checkReplicas(count, logdIds, offsets);
        if (count != badCount)
        {
            throw new IllegalArgumentException("bad count " + count + " is not the " + badCount + " wrapped");
        }
        int at = keyIndex() + keyLength;
        for (int i = 0; i < count; i++, at += Change.REPLICA_LENGTH)
        {
            buffer.setShort(at, logdIds[i]);
            buffer.setLong(at + Change.REPLICA_OFFSET_OFFSET, offsets[i]);
        }
        return this;
    }

    public int badLogdId(final int i)
    {
        return buffer.getUnsignedShort(keyIndex() + keyLength + i * Change.REPLICA_LENGTH);
    }

    public long badOffset(final int i)
    {
        return buffer.getLong(keyIndex() + keyLength + i * Change.REPLICA_LENGTH + Change.REPLICA_OFFSET_OFFSET);
    }

    private void checkKeyLength(final int length)
    {
        if (length != keyLength)
        {
            throw new IllegalArgumentException("key length " + length + " is not the " + keyLength + " wrapped");
        }
    }
}
