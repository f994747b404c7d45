package io.metrodb.log;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One memory-mapped segment file; {@link #buffer()} covers the whole file.
 */
final class Segment implements AutoCloseable
{
    static final int PAGE_SIZE = 4096;

    private final int index;
    private final long baseOffset;
    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private boolean closed;

    private Segment(final int index, final long baseOffset, final Path file, final MappedByteBuffer mapped)
    {
        this.index = index;
        this.baseOffset = baseOffset;
        this.file = file;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
    }

    /**
     * Map an existing, fully allocated segment file.
     */
    static Segment map(final Path file, final int index, final int segmentLength, final boolean readOnly)
        throws IOException
    {
        final StandardOpenOption[] options = readOnly ?
            new StandardOpenOption[]{ StandardOpenOption.READ } :
            new StandardOpenOption[]{ StandardOpenOption.READ, StandardOpenOption.WRITE };
        try (FileChannel channel = FileChannel.open(file, options))
        {
            final long size = channel.size();
            if (size != segmentLength)
            {
                throw new IOException("segment " + file + " has length " + size + ", expected " + segmentLength);
            }
            final MappedByteBuffer mapped = channel.map(
                readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, segmentLength);
            return new Segment(index, (long)index * segmentLength, file, mapped);
        }
    }

    int index()
    {
        return index;
    }

    long baseOffset()
    {
        return baseOffset;
    }

    int length()
    {
        return buffer.capacity();
    }

    Path file()
    {
        return file;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    MappedByteBuffer mapped()
    {
        return mapped;
    }

    /**
     * msync the pages covering {@code [from, to)}.
     */
    void force(final int from, final int to)
    {
        if (to > from)
        {
            mapped.force(from, to - from);
        }
    }

    /**
     * Drop this process's page-table entries for the pages covering {@code [from, to)} (see
     * {@link NativePageCache#dropMappings}), so write-back need not write-protect them a page at a time. Best
     * effort: should the call fail, write-back still does that.
     */
    void dropMappings(final NativePageCache pageCache, final int from, final int to)
    {
        final int alignedFrom = from & -PAGE_SIZE;
        if (to > alignedFrom)
        {
            pageCache.dropMappings(buffer.addressOffset() + alignedFrom, to - alignedFrom);
        }
    }

    /**
     * @param from first position to check.
     * @return true when every byte from {@code from} to the end of the segment is zero.
     */
    boolean isZeroFrom(final int from)
    {
        final int length = length();
        int i = from;
        for (; i < length && (i & 7) != 0; i++)
        {
            if (buffer.getByte(i) != 0)
            {
                return false;
            }
        }
        for (; i + 8 <= length; i += 8)
        {
            if (buffer.getLong(i) != 0)
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (buffer.getByte(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param from first position to look at.
     * @return how many bytes from {@code from} up to the last non-zero byte of the segment (0 when all are zero):
     * what zeroing from there erases (recovery only: it reads the rest of the segment).
     */
    int nonZeroLengthFrom(final int from)
    {
        int end = length();
        while (end - 8 >= from && buffer.getLong(end - 8) == 0)
        {
            end -= 8;
        }
        while (end > from && buffer.getByte(end - 1) == 0)
        {
            end--;
        }
        return end - from;
    }

    /**
     * Zero {@code [from, end of segment)} and force it, so stale bytes can never be read as records.
     */
    void zeroFrom(final int from)
    {
        buffer.setMemory(from, length() - from, (byte)0);
        force(from, length());
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }

    public String toString()
    {
        return "Segment{index=" + index + ", file=" + file + '}';
    }
}
