package io.metrodb.log;

import org.agrona.DirectBuffer;

/**
 * Zero-copy view of a record's payload inside a mapped segment, filled by {@link LogStore#read(long, RecordView)}.
 * <p>
 * Reusable: one per reading thread. The bytes stay valid (the log is immutable) until the store is closed.
 */
public final class RecordView
{
    private DirectBuffer buffer;
    private int index;
    private int length;
    private long offset;
    private long nextOffset;

    void wrap(final DirectBuffer buffer, final int index, final int length, final long offset, final long nextOffset)
    {
        this.buffer = buffer;
        this.index = index;
        this.length = length;
        this.offset = offset;
        this.nextOffset = nextOffset;
    }

    /** @return the segment buffer holding the payload. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return index of the first payload byte in {@link #buffer()}. */
    public int index()
    {
        return index;
    }

    /** @return payload length in bytes. */
    public int length()
    {
        return length;
    }

    /** @return native address of the first payload byte, e.g. for {@code Unpooled.wrappedBuffer(address, length, false)}. */
    public long address()
    {
        return buffer.addressOffset() + index;
    }

    /** @return offset of the record. */
    public long offset()
    {
        return offset;
    }

    /** @return offset just past the record: where the next record may start. */
    public long nextOffset()
    {
        return nextOffset;
    }

    /** @return a copy of the payload. */
    public byte[] toByteArray()
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(index, bytes);
        return bytes;
    }
}
