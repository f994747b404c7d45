package io.metrodb.mapd.store;

import io.metrodb.log.DurableListener;
import io.metrodb.log.LogConfig;
import io.metrodb.log.LogResult;
import io.metrodb.log.LogScanHandler;
import io.metrodb.log.LogStats;
import io.metrodb.log.LogStore;
import io.metrodb.server.counters.CountersFile;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.DirectBuffer;

import java.nio.file.Path;

/**
 * The journal of every change applied to the grid, kept in a log store of its own (in {@code DIR/journal}),
 * so it gets the log's recovery and group commit: SETSAFE replies wait for a forced journal entry, and many
 * SETSAFEs share a force. Appended by the data-path thread only.
 */
public final class GridJournal implements AutoCloseable
{
    public static final String DIRECTORY = "journal";
    public static final int SEGMENT_LENGTH = 64 * 1024 * 1024;
    public static final int MAX_ENTRY_LENGTH =
        JournalEntry.CHANGE_OFFSET + Change.length(ProtocolLimits.MAX_KEY_LENGTH, 255);

    private final LogStore log;
    /** Appends view the entry's bytes through this (one appending thread at a time: mapd's data path). */
    private final FrameView entryView = new FrameView();

    private GridJournal(final LogStore log)
    {
        this.log = log;
    }

    /**
     * Opens (and recovers) the journal under the mapd's data directory.
     */
    public static GridJournal open(final Path mapdDir)
    {
        return open(mapdDir, SEGMENT_LENGTH, LogConfig.UNLIMITED);
    }

    /**
     * As {@link #open(Path)}, the journal's counters in the mapd's counters file (labelled {@code journal_...}, as
     * INFO names them) and its agents' errors in that file's error log.
     */
    public static GridJournal open(final Path mapdDir, final CountersFile countersFile)
    {
        return new GridJournal(LogStore.open(new LogConfig()
            .directory(mapdDir.resolve(DIRECTORY))
            .segmentLength(SEGMENT_LENGTH)
            .maxEntryLength(MAX_ENTRY_LENGTH)
            .counters(countersFile.countersManager(), "journal_")
            .errorHandler(countersFile)
            .validate()));
    }

    /**
     * As {@link #open(Path)} with other segments and a byte budget (tests: a journal that fills up; a journal
     * must be reopened with the segment length it was created with).
     *
     * @param segmentLength a power of two with room for a record of {@link #MAX_ENTRY_LENGTH} (128 KiB or more).
     * @param maxTotalBytes cap on the journal's segment files, {@link LogConfig#UNLIMITED} for none; past it
     *                      appends fail with {@link LogResult#STORAGE_FULL}.
     */
    public static GridJournal open(final Path mapdDir, final int segmentLength, final long maxTotalBytes)
    {
        return new GridJournal(LogStore.open(new LogConfig()
            .directory(mapdDir.resolve(DIRECTORY))
            .segmentLength(segmentLength)
            .maxEntryLength(MAX_ENTRY_LENGTH)
            .maxTotalBytes(maxTotalBytes)
            .validate()));
    }

    /**
     * Reads entries in order from {@code fromPosition} (data-path thread; for serving a peer's SYNC).
     *
     * @return where to continue, or a negative {@link LogResult}.
     */
    public long scan(final long fromPosition, final int limit, final LogScanHandler handler)
    {
        return log.scan(fromPosition, limit, handler);
    }

    /**
     * Appends an encoded entry (in the page cache when this returns: it survives a process crash).
     *
     * @return the entry's position, or a negative {@link LogResult}.
     */
    public long append(final ByteBuf entry)
    {
        return log.append(entryView.wrap(entry), entry.readerIndex(), entry.readableBytes());
    }

    /**
     * Appends an encoded entry and has {@code listener} told, on the journal's sync thread, once it is forced.
     *
     * @return the entry's position, or a negative {@link LogResult} (then the listener is never called).
     */
    public long appendDurable(
        final ByteBuf entry, final DurableListener listener, final long requestId, final Object context)
    {
        return log.appendDurable(
            entryView.wrap(entry), entry.readerIndex(), entry.readableBytes(), listener, requestId, context);
    }

    /**
     * @return the journal's log store counters (forces, sync thread cycles and sleeps, ...).
     */
    public LogStats stats()
    {
        return log.stats();
    }

    /**
     * @return the open's report of a torn tail it truncated (see {@link LogStore#tornTailReport()}), or null.
     */
    public String tornTailReport()
    {
        return log.tornTailReport();
    }

    /**
     * @return where the next entry goes: replaying from here on misses nothing appended later.
     */
    public long tailPosition()
    {
        return log.tailPosition();
    }

    /**
     * Applies every entry from {@code fromPosition} to the grid (last writer wins, so entries already in a
     * snapshot are harmless).
     *
     * @param grid         grid to update (the caller is its single writer).
     * @param fromPosition a position from {@link #tailPosition()}, or 0.
     * @return what replay found.
     */
    public ReplayResult replay(final KeyGrid grid, final long fromPosition)
    {
        return replay(grid, fromPosition, (position, origin, sequence) -> { });
    }

    /**
     * Told about each journal entry replayed.
     */
    @FunctionalInterface
    public interface EntryListener
    {
        /**
         * @param position the entry's journal position.
         * @param origin   the mapd that originated the change.
         * @param sequence its number at the origin, 0 when not known in order.
         */
        void onEntry(long position, int origin, long sequence);
    }

    /**
     * As {@link #replay(KeyGrid, long)}, telling {@code listener} about every entry.
     */
    public ReplayResult replay(final KeyGrid grid, final long fromPosition, final EntryListener listener)
    {
        final Replayer replayer = new Replayer(grid, listener);
        long position = fromPosition;
        while (position >= 0 && position < log.tailPosition())
        {
            final long next = log.scan(position, 4096, replayer);
            if (next <= position)
            {
                break;
            }
            position = next;
        }
        if (position < 0)
        {
            throw new IllegalStateException("journal replay from " + fromPosition + " failed: " +
                LogResult.describe(position));
        }
        if (replayer.invalidOffset >= 0)
        {
            throw new IllegalStateException("journal entry at " + replayer.invalidOffset + " is " +
                LogResult.describe(replayer.invalidCode) + "; restore the grid with --rebuild-from-logds");
        }
        return new ReplayResult(replayer.entries, replayer.applied);
    }

    @Override
    public void close()
    {
        log.close();
    }

    /**
     * What a replay went through.
     *
     * @param entries      journal entries read.
     * @param applied      entries that changed the grid.
     */
    public record ReplayResult(long entries, long applied)
    {
    }

    private static final class Replayer implements LogScanHandler
    {
        private final EntryListener listener;
        private final ChangeApplier applier;
        private final ByteBuf entry = Unpooled.buffer(MAX_ENTRY_LENGTH);
        private long entries;
        private long applied;
        private long invalidOffset = -1;
        private int invalidCode;

        Replayer(final KeyGrid grid, final EntryListener listener)
        {
            this.applier = new ChangeApplier(grid);
            this.listener = listener;
        }

        @Override
        public boolean onRecord(final long offset, final DirectBuffer buffer, final int index, final int length)
        {
            if (length > MAX_ENTRY_LENGTH)
            {
                invalidOffset = offset;
                invalidCode = LogResult.CORRUPT;
                return false;
            }
            entry.clear();
            buffer.getBytes(index, entry.array(), entry.arrayOffset(), length);
            entry.writerIndex(length);
            if (length < JournalEntry.CHANGE_OFFSET ||
                Change.validLength(entry, JournalEntry.CHANGE_OFFSET, length) != length - JournalEntry.CHANGE_OFFSET)
            {
                invalidOffset = offset;
                invalidCode = LogResult.CORRUPT;
                return false;
            }
            entries++;
            listener.onEntry(offset, JournalEntry.originNode(entry, 0), JournalEntry.sequence(entry, 0));
            if (applier.applyEntry(entry, 0) == KeyGrid.APPLIED)
            {
                applied++;
            }
            return true;
        }

        @Override
        public void onInvalid(final long offset, final int errorCode)
        {
            invalidOffset = offset;
            invalidCode = errorCode;
        }
    }
}
