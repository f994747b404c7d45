package io.metrodb.mapd;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.mapd.SyncResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How one SYNC answer flows (see {@link SyncStreamerTestBase}): how big a frame gets, that it writes only while
 * the channel is writable and resumes where it stopped, and that it lets go of its buffer however it ends.
 */
class SyncStreamerFlowTest extends SyncStreamerTestBase
{
    @Test
    void shouldCapAFrameAtFrameChanges()
    {
        backlog = new Backlog(1 << 14);
        final int count = SyncStreamer.FRAME_CHANGES * 2 + 100;
        for (int i = 1; i <= count; i++)
        {
            appendOwn("k" + (i % 1000), 0, 0);
        }
        final SyncStreamer streamer = streamer(1);
        streamer.run();

        final List<Frame> frames = readFrames();
        assertStreamShape(frames, SyncResponse.MODE_BACKLOG);
        assertTrue(frames.size() >= 4, "at least three data frames and the end frame: " + frames.size());
        for (final Frame frame : frames)
        {
            assertTrue(frame.changes().size() <= SyncStreamer.FRAME_CHANGES, "changes in a frame: " +
                frame.changes().size());
        }
        assertChangesAre(frames, 1, count);
        assertEquals(count + 1, frames.get(frames.size() - 1).sequence());
    }

    @Test
    void shouldWriteOnlyWhileWritableAndResumeWhereItStopped()
    {
        backlog = new Backlog(1 << 14);
        final int count = SyncStreamer.FRAME_CHANGES * 2 + 100;
        for (int i = 1; i <= count; i++)
        {
            appendOwn("k" + (i % 1000), 0, 0);
        }
        pacer.framesUntilFull = 1;
        final SyncStreamer streamer = streamer(1);
        streamer.run();

        final List<Frame> frames = new ArrayList<>(readFrames());
        assertEquals(1, frames.size(), "one frame, then the channel was full");
        assertFalse(streamer.isDone());
        streamer.run();
        assertTrue(readFrames().isEmpty(), "nothing written while the channel is not writable");

        int resumes = 0;
        while (!streamer.isDone())
        {
            assertTrue(++resumes < 100, "the stream ends");
            pacer.drained(channel, 1);
            streamer.run();
            final List<Frame> more = readFrames();
            assertTrue(more.size() == 1 || streamer.isDone() && more.size() == 2,
                "one frame per writable spell (the last data frame may come with the end frame): " + more.size());
            frames.addAll(more);
        }
        assertStreamShape(frames, SyncResponse.MODE_BACKLOG);
        assertChangesAre(frames, 1, count);
        assertEquals(count + 1, frames.get(frames.size() - 1).sequence());
        assertAllReleased();
    }

    @Test
    void shouldResumeASnapshotWhereItStopped()
    {
        backlog = new Backlog(2);
        final String pad = "k".repeat(200);
        for (int i = 1; i <= 2000; i++)
        {
            appendOwn(pad + i, 8, 2);
        }
        pacer.framesUntilFull = 1;
        final SyncStreamer streamer = streamer(1);
        streamer.run();
        final List<Frame> frames = new ArrayList<>(readFrames());
        int resumes = 0;
        while (!streamer.isDone())
        {
            assertTrue(++resumes < 1000, "the stream ends");
            pacer.drained(channel, 1);
            streamer.run();
            frames.addAll(readFrames());
        }
        assertTrue(frames.size() > 2, "several frames: " + frames.size());
        assertStreamShape(frames, SyncResponse.MODE_SNAPSHOT);
        assertMatchesGrid(frames);
        assertAllReleased();
    }

    @Test
    void shouldStopAndReleaseItsBufferWhenTheConnectionClosesMidStream()
    {
        backlog = new Backlog(1 << 14);
        for (int i = 1; i <= SyncStreamer.FRAME_CHANGES + 10; i++)
        {
            appendOwn("k" + (i % 1000), 0, 0);
        }
        pacer.framesUntilFull = 1;
        final SyncStreamer streamer = streamer(1);
        streamer.run();
        assertEquals(1, readFrames().size());
        assertFalse(streamer.isDone());

        channel.close();
        streamer.run();
        assertTrue(streamer.isDone(), "a closed connection ends the stream");
        assertTrue(readFrames().isEmpty());
        streamer.abort();
        assertAllReleased();
    }

    @Test
    void shouldReleaseItsBufferWhenAborted()
    {
        backlog = new Backlog(1 << 14);
        for (int i = 1; i <= SyncStreamer.FRAME_CHANGES + 10; i++)
        {
            appendOwn("k" + (i % 1000), 0, 0);
        }
        pacer.framesUntilFull = 1;
        final SyncStreamer streamer = streamer(1);
        streamer.run();
        readFrames();

        streamer.abort();
        assertTrue(streamer.isDone());
        streamer.abort();
        assertAllReleased();
    }

    @Test
    void shouldKeepEveryBacklogFrameWithinTheFrameLimitOfAnyMapd()
    {
        backlog = new Backlog(1 << 12);
        final String pad = "k".repeat(80);
        for (int i = 1; i <= 3000; i++)
        {
            appendOwn(pad + i, 100, 2);
        }
        for (int i = 0; i < 3; i++)
        {
            appendOwn(longestKey(i), 100, MapdConfig.MAX_RF);
        }
        final SyncStreamer streamer = streamer(1);
        streamer.run();

        final List<Frame> frames = readFrames();
        assertStreamShape(frames, SyncResponse.MODE_BACKLOG);
        assertWithinSmallestFrameLimit(frames);
        assertChangesAre(frames, 1, 3003);
    }

    @Test
    void shouldKeepEverySnapshotFrameWithinTheFrameLimitOfAnyMapd()
    {
        backlog = new Backlog(1);
        final String pad = "k".repeat(2000);
        for (int i = 1; i <= 300; i++)
        {
            appendOwn(pad + i, 100, 2);
        }
        for (int i = 0; i < 3; i++)
        {
            appendOwn(longestKey(i), 100, MapdConfig.MAX_RF);
        }
        final SyncStreamer streamer = streamer(1);
        streamer.run();

        final List<Frame> frames = readFrames();
        assertStreamShape(frames, SyncResponse.MODE_SNAPSHOT);
        assertWithinSmallestFrameLimit(frames);
        assertMatchesGrid(frames);
    }

    /**
     * A mapd's frame limit is its --max-value plus {@link ProtocolLimits#FRAME_OVERHEAD}, so a stream a peer with
     * {@code --max-value 0} can read is one every mapd can read; each frame must still carry a change.
     */
    private static void assertWithinSmallestFrameLimit(final List<Frame> frames)
    {
        final int limit = ProtocolLimits.frameLengthFor(0);
        for (int i = 0; i < frames.size(); i++)
        {
            assertTrue(frames.get(i).length() <= limit, "frame " + i + " of " + frames.size() + " is " +
                frames.get(i).length() + " bytes, over the " + limit + " a mapd with --max-value 0 accepts");
            assertTrue(i == frames.size() - 1 || !frames.get(i).changes().isEmpty(), "frame " + i + " makes progress");
        }
    }

    private static String longestKey(final int i)
    {
        final char[] key = new char[ProtocolLimits.MAX_KEY_LENGTH];
        Arrays.fill(key, (char)('a' + i));
        return new String(key);
    }
}
