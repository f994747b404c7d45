package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.JournalEntry;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.SyncResponse;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which changes one SYNC answer sends (see {@link SyncStreamerTestBase}): this mapd's own, in order, from the
 * backlog; or every grid entry as a snapshot; and how it ends, including at a corrupt journal record.
 */
class SyncStreamerChangesTest extends SyncStreamerTestBase
{
    @Test
    void shouldStreamOwnChangesInOrderFromTheAskedSequenceAndEndWithTheNextLiveOne()
    {
        backlog = new Backlog(64);
        for (int i = 1; i <= 10; i++)
        {
            appendOwn("own-" + i, 8, 2);
            append(i, PEER, "peer-" + i, version++, PEER, 0, 8, 2);
            append(0, PEER, "peer-gap-" + i, version++, PEER, 0, 8, 2);
        }
        final SyncStreamer streamer = streamer(4);
        streamer.run();

        assertTrue(streamer.isDone());
        final List<Frame> frames = readFrames();
        assertStreamShape(frames, SyncResponse.MODE_BACKLOG);
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L), backlogSequences(frames), "own changes 4..10, in order");
        assertChangesAre(frames, 4, 10);
        assertEquals(11, frames.get(frames.size() - 1).sequence(), "the end frame names the next live sequence");
        assertTrue(frames.get(frames.size() - 1).changes().isEmpty(), "the end frame carries no changes");
        assertAllReleased();
    }

    @Test
    void shouldEndAtOnceWhenThePeerMissedNothing()
    {
        backlog = new Backlog(64);
        for (int i = 1; i <= 5; i++)
        {
            appendOwn("own-" + i, 8, 2);
        }
        final SyncStreamer streamer = streamer(6);
        streamer.run();

        assertTrue(streamer.isDone());
        final List<Frame> frames = readFrames();
        assertEquals(1, frames.size(), "only the end frame");
        assertFalse(frames.get(0).more());
        assertEquals(SyncResponse.MODE_BACKLOG, frames.get(0).mode());
        assertEquals(6, frames.get(0).sequence());
        assertTrue(frames.get(0).changes().isEmpty());
        assertAllReleased();
    }

    @Test
    void shouldStreamFromTheBacklogAfterItWrapped()
    {
        backlog = new Backlog(8);
        for (int i = 1; i <= 30; i++)
        {
            appendOwn("own-" + i, 8, 2);
        }
        final SyncStreamer streamer = streamer(23);
        streamer.run();

        final List<Frame> frames = readFrames();
        assertStreamShape(frames, SyncResponse.MODE_BACKLOG);
        assertChangesAre(frames, 23, 30);
        assertEquals(31, frames.get(frames.size() - 1).sequence());
    }

    @Test
    void shouldSendEveryGridEntryOfEveryOriginWhenTheAskedSequenceFellOffTheBacklog()
    {
        backlog = new Backlog(4);
        for (int i = 1; i <= 10; i++)
        {
            appendOwn("own-" + i, 8, 2);
            append(i, PEER, "peer-" + i, version++, PEER, 0, 8, 3);
        }
        append(0, PEER, "own-3", version++, PEER, GridEntry.TOMBSTONE, 0, 0);
        final SyncStreamer streamer = streamer(3);
        streamer.run();

        assertTrue(streamer.isDone());
        final List<Frame> frames = readFrames();
        assertStreamShape(frames, SyncResponse.MODE_SNAPSHOT);
        for (final Frame frame : frames.subList(0, frames.size() - 1))
        {
            assertEquals(10, frame.sequence(), "a snapshot frame names the origin sequence it is consistent with");
        }
        assertEquals(11, frames.get(frames.size() - 1).sequence(), "then the next live sequence");
        assertMatchesGrid(frames);
        assertAllReleased();
    }

    @Test
    void shouldSendASnapshotWhenRecoveryLeftNothingInTheBacklog()
    {
        backlog = new Backlog(64);
        append(0, PEER, "peer-only", version++, PEER, 0, 8, 2);
        backlog.recovered(10);
        ownSequence = 10;
        final SyncStreamer streamer = streamer(5);
        streamer.run();

        final List<Frame> frames = readFrames();
        assertStreamShape(frames, SyncResponse.MODE_SNAPSHOT);
        assertMatchesGrid(frames);
        assertEquals(11, frames.get(frames.size() - 1).sequence());
    }

    @Test
    void shouldEndWithCorruptRecordAfterTheChangesBeforeACorruptJournalRecord() throws Exception
    {
        backlog = new Backlog(64);
        for (int i = 1; i <= 10; i++)
        {
            appendOwn("own-" + i, 8, 2);
        }
        flipJournalByte(backlog.position(7));
        pacer.framesUntilFull = 100;
        final SyncStreamer streamer = streamer(4);
        streamer.run();

        final List<ByteBuf> sent = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readOutbound()) != null)
        {
            sent.add(frame);
        }
        try
        {
            assertTrue(streamer.isDone(), "the stream ends at the corrupt record (" + sent.size() + " frames sent)");
            assertTrue(sent.size() >= 2 && sent.size() <= 3, "the changes before it, then one error: " + sent.size());
            final ByteBuf last = sent.get(sent.size() - 1);
            assertEquals(REQUEST_ID, FrameHeader.requestId(last, last.readerIndex()));
            assertEquals(StatusCodes.name(StatusCodes.CORRUPT_RECORD),
                StatusCodes.name(FrameHeader.status(last, last.readerIndex())), "the stream ends with an error");
            assertTrue(ErrorPayload.message(last, last.readerIndex()).contains("unreadable (CORRUPT)"),
                ErrorPayload.message(last, last.readerIndex()));
            for (final ByteBuf data : sent.subList(0, sent.size() - 1))
            {
                channel.writeOutbound(data.retain());
            }
            final List<Frame> frames = readFrames();
            assertChangesAre(frames, 4, 6);
            for (final Frame data : frames)
            {
                assertTrue(data.more(), "no frame before the error claims the stream ended");
            }
        }
        finally
        {
            for (final ByteBuf buf : sent)
            {
                buf.release();
            }
        }
        assertAllReleased();
    }

    /**
     * Flips a payload byte of the journal record at {@code position} in its segment file (the journal maps the
     * same file, so its next scan sees the flip).
     */
    private void flipJournalByte(final long position) throws java.io.IOException
    {
        final long segment = position / GridJournal.SEGMENT_LENGTH;
        final Path file = dir.resolve(GridJournal.DIRECTORY).resolve(String.format("%010d.seg", segment));
        assertTrue(java.nio.file.Files.exists(file), file.toString());
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE))
        {
            final long at = position % GridJournal.SEGMENT_LENGTH + io.metrodb.log.RecordHeader.HEADER_LENGTH +
                JournalEntry.CHANGE_OFFSET + 4;
            final java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            assertEquals(1, channel.read(one, at));
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte)(one.get(0) ^ 0x40)}), at);
        }
    }
}
