package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.ChangeApplier;
import io.metrodb.mapd.store.JournalEntry;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One SYNC answer, streamed by a real {@link SyncStreamer} out of a real journal and grid into an
 * {@link EmbeddedChannel}: which changes it sends (this mapd's own, in order, from the backlog; or every grid
 * entry as a snapshot), how the stream is framed and numbered, how big a frame gets, that it writes only while
 * the channel is writable and resumes where it stopped, and that it lets go of its buffer however it ends.
 */
class SyncStreamerTest
{
    private static final int NODE = 1;
    private static final int PEER = 2;
    private static final long REQUEST_ID = 77;
    private static final long BASE_VERSION = 1_700_000_000_000L << HybridClock.COUNTER_BITS;

    @TempDir
    Path dir;

    private KeyGrid grid;
    private GridJournal journal;
    private LogdPool logds;
    private Backlog backlog;
    private MapdNode node;
    private long ownSequence;
    private long version = BASE_VERSION;
    private final Map<Long, byte[]> ownChanges = new HashMap<>();
    private final List<ByteBuf> scratch = new ArrayList<>();
    private TrackingAllocator allocator;
    private EmbeddedChannel channel;
    private Pacer pacer;

    /** Keeps every buffer the streamer allocates, to check each is released. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator
    {
        final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator()
        {
            super(true);
        }

        @Override
        protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity)
        {
            final ByteBuf buf = Unpooled.directBuffer(initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }

        @Override
        protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity)
        {
            final ByteBuf buf = Unpooled.buffer(initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }

        @Override
        public boolean isDirectBufferPooled()
        {
            return false;
        }
    }

    /** Makes the channel unwritable once a set number of frames went out, as a full socket buffer would. */
    private static final class Pacer extends ChannelOutboundHandlerAdapter
    {
        int framesUntilFull = Integer.MAX_VALUE;

        @Override
        public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
        {
            ctx.write(msg, promise);
            if (--framesUntilFull <= 0)
            {
                ctx.channel().unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            }
        }

        void drained(final EmbeddedChannel channel, final int framesUntilFull)
        {
            this.framesUntilFull = framesUntilFull;
            channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        }
    }

    /** One SYNC response frame, copied out. */
    private record Frame(long requestId, boolean more, int mode, long sequence, List<byte[]> changes, int length)
    {
    }

    @BeforeEach
    void open()
    {
        grid = new KeyGrid(GridEntry.MAX_REPLICAS, 1 << 10);
        journal = GridJournal.open(dir);
        logds = new LogdPool(null, List.of(), new HandshakeConfig(Roles.MAPD, NODE, null,
            ProtocolLimits.frameLengthFor(1 << 20)), 16, 1_000);
        allocator = new TrackingAllocator();
        pacer = new Pacer();
        channel = new EmbeddedChannel(pacer, new ChannelInboundHandlerAdapter());
        channel.config().setAllocator(allocator);
    }

    @AfterEach
    void close()
    {
        channel.finishAndReleaseAll();
        if (node != null)
        {
            node.close();
        }
        journal.close();
        grid.close();
        for (final ByteBuf buf : scratch)
        {
            buf.release();
        }
    }

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

    private SyncStreamer streamer(final long from)
    {
        node = new MapdNode(NODE, 2, 1 << 20, grid, logds, journal, ownSequence);
        return new SyncStreamer(node, backlog, channel.pipeline().lastContext(), REQUEST_ID, from);
    }

    /**
     * Journals (and applies) this mapd's next own change, recorded in the backlog as a broadcast would.
     */
    private void appendOwn(final String key, final int valueLength, final int replicas)
    {
        final long sequence = ++ownSequence;
        final long position = append(sequence, NODE, key, version++, NODE, 0, valueLength, replicas);
        backlog.record(sequence, position);
    }

    /**
     * Journals a change and applies it to the grid, as the data path does.
     *
     * @return its journal position.
     */
    private long append(final long sequence, final int origin, final String key, final long changeVersion,
        final int versionNode, final int flags, final int valueLength, final int replicaCount)
    {
        final ByteBuf keyBytes = Unpooled.wrappedBuffer(key.getBytes(StandardCharsets.UTF_8));
        final short[] logdIds = new short[replicaCount];
        final long[] offsets = new long[replicaCount];
        for (int r = 0; r < replicaCount; r++)
        {
            logdIds[r] = (short)(100 + r);
            offsets[r] = sequence * 64 + r;
        }
        final ByteBuf entry = Unpooled.buffer();
        scratch.add(entry);
        JournalEntry.writeHeader(entry, sequence, origin);
        new ChangeFlyweight().wrapForAppend(entry, keyBytes.readableBytes(), replicaCount)
            .version(changeVersion).versionNode(versionNode).flags(flags).valueLength(valueLength)
            .checksum(key.hashCode()).key(keyBytes, 0, keyBytes.readableBytes())
            .replicas(replicaCount, logdIds, offsets)
            .commit();
        final long position = journal.append(entry);
        assertTrue(position >= 0, "journal append: " + position);
        new ChangeApplier(grid).applyEntry(entry, 0);
        if (origin == NODE)
        {
            ownChanges.put(sequence, ByteBufUtil.getBytes(entry, JournalEntry.CHANGE_OFFSET,
                entry.readableBytes() - JournalEntry.CHANGE_OFFSET));
        }
        return position;
    }

    private List<Frame> readFrames()
    {
        final List<Frame> frames = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readOutbound()) != null)
        {
            try
            {
                final int at = frame.readerIndex();
                assertEquals(frame.readableBytes(), FrameHeader.frameLength(frame, at), "one frame per buffer");
                assertEquals(Opcodes.SYNC, FrameHeader.opcode(frame, at));
                assertTrue(FrameHeader.isResponse(frame, at));
                assertEquals(StatusCodes.OK, FrameHeader.status(frame, at));
                assertTrue(SyncResponse.isValid(frame, at), "a valid SYNC response");
                final List<byte[]> changes = new ArrayList<>();
                int change = SyncResponse.firstChangeIndex(at);
                for (int i = 0; i < SyncResponse.changeCount(frame, at); i++)
                {
                    changes.add(ByteBufUtil.getBytes(frame, change, Change.length(frame, change)));
                    change = SyncResponse.nextChangeIndex(frame, change);
                }
                frames.add(new Frame(FrameHeader.requestId(frame, at), SyncResponse.hasMore(frame, at),
                    SyncResponse.mode(frame, at), SyncResponse.sequence(frame, at), changes,
                    FrameHeader.frameLength(frame, at)));
            }
            finally
            {
                frame.release();
            }
        }
        return frames;
    }

    /**
     * Every frame answers the request in one mode; all but the last are flagged MORE; the last carries no changes.
     */
    private static void assertStreamShape(final List<Frame> frames, final int mode)
    {
        assertFalse(frames.isEmpty(), "at least the end frame");
        for (int i = 0; i < frames.size(); i++)
        {
            final Frame frame = frames.get(i);
            assertEquals(REQUEST_ID, frame.requestId(), "frame " + i);
            assertEquals(mode, frame.mode(), "frame " + i);
            assertEquals(i < frames.size() - 1, frame.more(), "MORE on every frame but the last, frame " + i);
        }
        assertTrue(frames.get(frames.size() - 1).changes().isEmpty(), "the end frame carries no changes");
    }

    /**
     * @return the sequence of every change, numbered from each BACKLOG frame's first.
     */
    private static List<Long> backlogSequences(final List<Frame> frames)
    {
        final List<Long> sequences = new ArrayList<>();
        for (final Frame frame : frames)
        {
            for (int i = 0; i < frame.changes().size(); i++)
            {
                sequences.add(frame.sequence() + i);
            }
        }
        return sequences;
    }

    /**
     * The stream's changes are exactly own changes {@code first..last}, byte for byte as journaled, and each
     * frame's sequence continues the previous one's.
     */
    private void assertChangesAre(final List<Frame> frames, final long first, final long last)
    {
        long expected = first;
        for (final Frame frame : frames)
        {
            if (!frame.changes().isEmpty())
            {
                assertEquals(expected, frame.sequence(), "frames number their changes consecutively");
            }
            for (final byte[] change : frame.changes())
            {
                assertArrayEquals(ownChanges.get(expected), change, "change " + expected);
                expected++;
            }
        }
        assertEquals(last + 1, expected, "changes " + first + ".." + last);
    }

    /**
     * The snapshot holds every grid entry exactly once, each as the grid has it.
     */
    private void assertMatchesGrid(final List<Frame> frames)
    {
        final Map<String, byte[]> sent = new HashMap<>();
        for (final Frame frame : frames)
        {
            for (final byte[] change : frame.changes())
            {
                final ByteBuf buf = Unpooled.wrappedBuffer(change);
                final String key = buf.toString(Change.keyIndex(0), Change.keyLength(buf, 0), StandardCharsets.UTF_8);
                assertTrue(sent.put(key, change) == null, "sent once: " + key);
            }
        }
        assertEquals(grid.size(), sent.size(), "every entry, tombstones included");
        final GridEntry entry = new GridEntry();
        for (final Map.Entry<String, byte[]> item : sent.entrySet())
        {
            assertTrue(GridKeys.get(grid, item.getKey().getBytes(StandardCharsets.UTF_8), entry), item.getKey());
            final ByteBuf change = Unpooled.wrappedBuffer(item.getValue());
            assertEquals(entry.version(), Change.version(change, 0), item.getKey());
            assertEquals(entry.versionNode(), Change.versionNode(change, 0), item.getKey());
            assertEquals(entry.flags(), Change.flags(change, 0), item.getKey());
            assertEquals(entry.valueLength(), Change.valueLength(change, 0), item.getKey());
            assertEquals(entry.checksum(), Change.checksum(change, 0), item.getKey());
            assertEquals(entry.replicaCount(), Change.replicaCount(change, 0), item.getKey());
            final long[] expected = new long[entry.replicaCount()];
            final long[] actual = new long[entry.replicaCount()];
            for (int r = 0; r < entry.replicaCount(); r++)
            {
                expected[r] = entry.logdId(r) * 1_000_000_000L + entry.offset(r);
                actual[r] = Change.replicaLogdId(change, 0, r) * 1_000_000_000L + Change.replicaOffset(change, 0, r);
            }
            assertEquals(Arrays.toString(expected), Arrays.toString(actual), item.getKey());
        }
    }

    private void assertAllReleased()
    {
        readFrames();
        for (final ByteBuf buf : allocator.allocated)
        {
            assertEquals(0, buf.refCnt(), "every buffer the streamer allocated is released");
        }
    }
}
