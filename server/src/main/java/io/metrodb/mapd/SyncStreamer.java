package io.metrodb.mapd;

import io.metrodb.log.LogScanHandler;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridVisitor;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.store.JournalEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.netty.ErrorReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import org.agrona.DirectBuffer;

/**
 * Answers one SYNC: streams this mapd's own changes from the asked sequence out of the journal (BACKLOG), or,
 * when the backlog no longer reaches back that far, every grid entry (SNAPSHOT), as frames flagged MORE, then
 * an end frame with the next sequence the peer will see live. Writes while the connection is writable and
 * resumes when it drains, so a long catch-up never buffers without bound. Every frame fits the frame limit of
 * any mapd, whatever its {@code --max-value}. A journal record it cannot read (corrupt, or the journal failing)
 * ends the stream: the changes before it go out, then an error frame ({@code CORRUPT_RECORD}; the peer asks again
 * at its next sync), and the mapd logs the record once. Data-path thread only.
 */
final class SyncStreamer implements Runnable, LogScanHandler
{
    private static final System.Logger LOG = System.getLogger(SyncStreamer.class.getName());

    /**
     * Most bytes of changes in one frame: a mapd reads frames of its --max-value plus
     * {@link ProtocolLimits#FRAME_OVERHEAD}, so a frame this size fits even a peer with --max-value 0 (and a single
     * change, at most a maximal key and 255 replicas, always fits).
     */
    static final int FRAME_BYTES = ProtocolLimits.FRAME_OVERHEAD - FrameHeader.HEADER_LENGTH -
        SyncResponse.CHANGES_OFFSET;
    static final int FRAME_CHANGES = 4096;

    private final MapdNode node;
    private final ChannelHandlerContext ctx;
    private final long requestId;
    private final int mode;
    private final long endSequence;
    private final ByteBuf changes;
    private ByteBuf key;
    private final short[] logdIds = new short[GridEntry.MAX_REPLICAS];
    private final long[] offsets = new long[GridEntry.MAX_REPLICAS];
    private final ChangeFlyweight change = new ChangeFlyweight();
    private final GridEntry scratch = new GridEntry();
    private final GridVisitor gridVisitor = this::onGridEntry;
    private long nextSequence;
    private long journalPosition;
    private long gridCursor;
    private long frameFirstSequence;
    private int frameCount;
    private boolean frameFull;
    private long firstUnsentPosition;
    private long failedPosition = -1;
    private int failure;
    private boolean done;

    SyncStreamer(
        final MapdNode node, final Backlog backlog, final ChannelHandlerContext ctx, final long requestId,
        final long fromSequence)
    {
        this.node = node;
        this.ctx = ctx;
        this.requestId = requestId;
        this.endSequence = node.ownSequence();
        this.changes = ctx.alloc().directBuffer(FRAME_BYTES);
        this.nextSequence = fromSequence;
        if (fromSequence > endSequence)
        {
            mode = SyncResponse.MODE_BACKLOG;
            journalPosition = -1;
        }
        else if (backlog.covers(fromSequence))
        {
            mode = SyncResponse.MODE_BACKLOG;
            journalPosition = backlog.position(fromSequence);
        }
        else
        {
            mode = SyncResponse.MODE_SNAPSHOT;
        }
    }

    boolean isDone()
    {
        return done;
    }

    /**
     * The connection closed mid-stream: let go of the buffer.
     */
    void abort()
    {
        if (!done)
        {
            done = true;
            changes.release();
        }
    }

    /**
     * Writes frames while the connection is writable; call again when it becomes writable.
     */
    @Override
    public void run()
    {
        while (!done && ctx.channel().isActive() && ctx.channel().isWritable())
        {
            changes.clear();
            frameCount = 0;
            frameFirstSequence = nextSequence;
            final boolean finished = mode == SyncResponse.MODE_BACKLOG ? fillFromBacklog() : fillFromGrid();
            if (failure != 0)
            {
                writeFailure();
                done = true;
                break;
            }
            writeFrame(!finished);
            if (finished)
            {
                done = true;
            }
        }
        if (!ctx.channel().isActive())
        {
            done = true;
        }
        if (done)
        {
            changes.release();
        }
    }

    private boolean fillFromBacklog()
    {
        frameFull = false;
        while (journalPosition >= 0 && nextSequence <= endSequence && !frameFull && frameCount < FRAME_CHANGES)
        {
            final long next = node.journal().scan(journalPosition, 256, this);
            if (next < 0 && failure == 0)
            {
                failure = (int)next;
                failedPosition = journalPosition;
            }
            if (failure != 0)
            {
                // Never skipped: the peer would take what follows as complete. The stream ends here.
                return false;
            }
            if (frameFull)
            {
                // The change that did not fit opens the next frame.
                journalPosition = firstUnsentPosition;
                break;
            }
            if (next <= journalPosition)
            {
                break;
            }
            journalPosition = next;
        }
        return journalPosition < 0 || nextSequence > endSequence || journalPosition >= node.journal().tailPosition();
    }

    @Override
    public boolean onRecord(final long offset, final DirectBuffer buffer, final int index, final int length)
    {
        if (length < JournalEntry.CHANGE_OFFSET)
        {
            return true;
        }
        final int origin = buffer.getShort(index + JournalEntry.ORIGIN_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final long sequence = buffer.getLong(index + JournalEntry.SEQUENCE_OFFSET, java.nio.ByteOrder.BIG_ENDIAN);
        if (origin != node.nodeId() || sequence != nextSequence)
        {
            return true;
        }
        final int changeLength = length - JournalEntry.CHANGE_OFFSET;
        if (frameCount > 0 && changes.readableBytes() + changeLength > FRAME_BYTES)
        {
            frameFull = true;
            firstUnsentPosition = offset;
            return false;
        }
        changes.ensureWritable(changeLength);
        buffer.getBytes(index + JournalEntry.CHANGE_OFFSET, changes.nioBuffer(changes.writerIndex(), changeLength), 0,
            changeLength);
        changes.writerIndex(changes.writerIndex() + changeLength);
        frameCount++;
        nextSequence++;
        return nextSequence <= endSequence && frameCount < FRAME_CHANGES;
    }

    /**
     * The journal scan stopped at a record it cannot read.
     */
    @Override
    public void onInvalid(final long offset, final int errorCode)
    {
        failure = errorCode;
        failedPosition = offset;
    }

    /**
     * Sends the changes read before the unreadable record (flagged MORE: the stream is not complete), then ends
     * the stream with an error; logs the record once per mapd.
     */
    private void writeFailure()
    {
        if (frameCount > 0)
        {
            writeFrame(true, frameCount, frameFirstSequence);
            changes.clear();
            frameCount = 0;
        }
        final short status = failure == io.metrodb.log.LogResult.CORRUPT ||
            failure == io.metrodb.log.LogResult.NOT_A_RECORD ? StatusCodes.CORRUPT_RECORD :
            failure == io.metrodb.log.LogResult.CLOSED ? StatusCodes.SHUTTING_DOWN : StatusCodes.STORAGE_ERROR;
        final String what = "own changes from sequence " + nextSequence + " cannot be streamed: the journal " +
            "record at " + failedPosition + " is unreadable (" + io.metrodb.log.LogResult.describe(failure) + ")";
        node.counters().syncsFailed.incrementRelease();
        if (status != StatusCodes.SHUTTING_DOWN && node.firstReportOfUnreadableJournal(failedPosition))
        {
            LOG.log(System.Logger.Level.ERROR, what + "; every SYNC that reaches it ends there with " +
                StatusCodes.name(status) + " (logged once)");
        }
        ErrorReplies.write(ctx, Opcodes.SYNC, requestId, status, what);
        ctx.flush();
    }

    private boolean fillFromGrid()
    {
        if (key == null)
        {
            key = Unpooled.buffer(KeyGrid.MAX_KEY_LENGTH);
        }
        frameFull = false;
        while (gridCursor >= 0 && frameCount < FRAME_CHANGES)
        {
            final long next = node.grid().forEach(gridCursor, 1, scratch, gridVisitor);
            if (frameFull)
            {
                // The entry that did not fit opens the next frame.
                break;
            }
            gridCursor = next;
        }
        return gridCursor < 0;
    }

    private void onGridEntry(
        final DirectBuffer keyBuffer, final int keyIndex, final int keyLength, final GridEntry entry)
    {
        if (frameCount > 0 && changes.readableBytes() + Change.length(keyLength, entry.replicaCount()) > FRAME_BYTES)
        {
            frameFull = true;
            return;
        }
        for (int i = 0; i < entry.replicaCount(); i++)
        {
            logdIds[i] = (short)entry.logdId(i);
            offsets[i] = entry.offset(i);
        }
        keyBuffer.getBytes(keyIndex, key.array(), key.arrayOffset(), keyLength);
        change.wrapForAppend(changes, keyLength, entry.replicaCount())
            .version(entry.version()).versionNode(entry.versionNode()).flags(entry.flags())
            .valueLength(entry.valueLength()).checksum(entry.checksum())
            .key(key, 0, keyLength).replicas(entry.replicaCount(), logdIds, offsets)
            .commit();
        frameCount++;
    }

    private void writeFrame(final boolean more)
    {
        final long sequence = mode == SyncResponse.MODE_SNAPSHOT ? (more ? endSequence : endSequence + 1) :
            (more ? frameFirstSequence : nextSequence);
        if (!more && frameCount > 0)
        {
            // The end frame carries no changes: send these first.
            writeFrame(true, frameCount, mode == SyncResponse.MODE_SNAPSHOT ? endSequence : frameFirstSequence);
            changes.clear();
            frameCount = 0;
        }
        writeFrame(more, frameCount, sequence);
    }

    private void writeFrame(final boolean more, final int count, final long sequence)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + SyncResponse.CHANGES_OFFSET +
            changes.readableBytes());
        SyncResponse.encodeHeader(out, requestId, more, mode, count, sequence, changes.readableBytes());
        out.writeBytes(changes, changes.readerIndex(), changes.readableBytes());
        ctx.writeAndFlush(out, ctx.voidPromise());
    }
}
