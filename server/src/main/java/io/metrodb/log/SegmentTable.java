package io.metrodb.log;

import java.util.Arrays;

/**
 * Segments of the log by index, read lock-free; grown only under the rollover lock.
 */
final class SegmentTable implements AutoCloseable
{
    private volatile Segment[] segments = new Segment[0];

    /**
     * @return the segment, or null when it is not (yet) part of the log.
     */
    Segment get(final int index)
    {
        final Segment[] segments = this.segments;
        return index >= 0 && index < segments.length ? segments[index] : null;
    }

    int count()
    {
        return segments.length;
    }

    synchronized void add(final Segment segment)
    {
        final Segment[] old = segments;
        if (segment.index() != old.length)
        {
            throw new IllegalStateException("segment " + segment.index() + " added after " + (old.length - 1));
        }
        final Segment[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = segment;
        segments = grown;
    }

    public synchronized void close()
    {
        for (final Segment segment : segments)
        {
            segment.close();
        }
        segments = new Segment[0];
    }
}
