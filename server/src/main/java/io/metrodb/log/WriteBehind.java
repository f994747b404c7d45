package io.metrodb.log;

/**
 * Starts write-back of published appends in chunks, ahead of any force, so the disk writes while appenders
 * still copy: without it the page cache holds every appended byte until the next force (the kernel's own
 * write-back waits for {@code vm.dirty_background_ratio}, gigabytes on a large machine), and that force then
 * writes them all while nothing else overlaps it. Runs on the sync thread; only whole chunks below the published
 * position are handed over, so the tail's partly filled page-cache folio is not written twice, as long as folios
 * are no larger than a chunk (the prefill makes them 64 KiB; folios built by faults can reach 2 MiB).
 * <p>
 * Durability still comes only from the force, which finds these pages written or in flight.
 */
final class WriteBehind implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(WriteBehind.class.getName());
    private static final int SEGMENT_GONE = Integer.MIN_VALUE;

    private final SegmentTable segments;
    private final LogStats stats;
    private final NativePageCache pageCache;
    private final boolean dropMappings;
    private final int segmentShift;
    private final long chunkMask;

    private long position;
    private int openSegmentIndex = -1;
    private int fd = -1;
    private boolean disabled;

    /**
     * @param chunkLength bytes handed to write-back at a time, a power of two; 0 turns write-behind off.
     * @param pageCache    the native calls, or null when they are unavailable (write-behind off).
     * @param dropMappings drop the mapping's entries for a chunk before starting its write-back (see
     *                     {@link NativePageCache#dropMappings}).
     */
    WriteBehind(
        final long startPosition,
        final int segmentLength,
        final int chunkLength,
        final SegmentTable segments,
        final LogStats stats,
        final NativePageCache pageCache,
        final boolean dropMappings)
    {
        this.dropMappings = dropMappings;
        this.segments = segments;
        this.stats = stats;
        this.pageCache = pageCache;
        this.segmentShift = Integer.numberOfTrailingZeros(segmentLength);
        this.chunkMask = -(long)Math.max(chunkLength, 1);
        this.position = startPosition;
        this.disabled = chunkLength == 0 || pageCache == null;
    }

    /**
     * Hand every whole chunk below {@code publishedPosition} not yet forced or handed over to write-back.
     *
     * @return 1 when write-back was started, else 0.
     */
    int advance(final long publishedPosition, final long durablePosition)
    {
        final long target = publishedPosition & chunkMask;
        if (disabled || target <= position || target <= durablePosition)
        {
            return 0;
        }

        final long startNs = System.nanoTime();
        long from = Math.max(position, durablePosition);
        final long bytes = target - from;
        while (from < target)
        {
            final int segmentIndex = (int)(from >>> segmentShift);
            final long segmentBase = (long)segmentIndex << segmentShift;
            final long to = Math.min(target, (long)(segmentIndex + 1) << segmentShift);
            final int result = startWriteBack(segmentIndex, from - segmentBase, to - from);
            if (result < 0)
            {
                disable(segmentIndex, result);
                return 0;
            }
            from = to;
        }
        position = target;
        stats.writeBehind(bytes, System.nanoTime() - startNs);
        return 1;
    }

    /**
     * Once a call fails it would fail again (unsupported file system, descriptor limit): stop trying, say why once.
     */
    private void disable(final int segmentIndex, final int result)
    {
        disabled = true;
        close();
        LOG.log(System.Logger.Level.WARNING, "write-behind off: starting write-back of segment " + segmentIndex +
            " failed: " + (result == SEGMENT_GONE ? "the segment is gone" : Errno.describe(-result)) +
            "; durability is unchanged (forces write everything)");
    }

    /**
     * @return 0, {@code -errno}, or {@link #SEGMENT_GONE}.
     */
    private int startWriteBack(final int segmentIndex, final long offset, final long length)
    {
        if (segmentIndex != openSegmentIndex)
        {
            close();
            final Segment segment = segments.get(segmentIndex);
            if (null == segment)
            {
                return SEGMENT_GONE;
            }
            final int opened = pageCache.open(segment.file());
            if (opened < 0)
            {
                return opened;
            }
            fd = opened;
            openSegmentIndex = segmentIndex;
        }
        if (dropMappings)
        {
            segments.get(segmentIndex).dropMappings(pageCache, (int)offset, (int)(offset + length));
        }
        return pageCache.startWriteBack(fd, offset, length);
    }

    public void close()
    {
        if (fd >= 0)
        {
            pageCache.close(fd);
            fd = -1;
        }
        openSegmentIndex = -1;
    }
}
