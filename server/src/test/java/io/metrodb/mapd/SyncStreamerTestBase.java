package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.ChangeApplier;
import io.metrodb.mapd.store.JournalEntry;
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
 * Fixtures shared by the {@link SyncStreamer} tests: a real journal and grid, a backlog, and an
 * {@link EmbeddedChannel} the streamer writes one SYNC answer into, read back frame by frame; every buffer the
 * streamer allocates is tracked to check it is released.
 */
abstract class SyncStreamerTestBase
{
    static final int NODE = 1;
    static final int PEER = 2;
    static final long REQUEST_ID = 77;
    static final long BASE_VERSION = 1_700_000_000_000L << HybridClock.COUNTER_BITS;

    @TempDir
    Path dir;

    KeyGrid grid;
    GridJournal journal;
    LogdPool logds;
    Backlog backlog;
    MapdNode node;
    long ownSequence;
    long version = BASE_VERSION;
    final Map<Long, byte[]> ownChanges = new HashMap<>();
    final List<ByteBuf> scratch = new ArrayList<>();
    TrackingAllocator allocator;
    EmbeddedChannel channel;
    Pacer pacer;

    /** Keeps every buffer the streamer allocates, to check each is released. */
    static final class TrackingAllocator extends AbstractByteBufAllocator
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
    static final class Pacer extends ChannelOutboundHandlerAdapter
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
    record Frame(long requestId, boolean more, int mode, long sequence, List<byte[]> changes, int length)
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

    SyncStreamer streamer(final long from)
    {
        node = new MapdNode(NODE, 2, 1 << 20, grid, logds, journal, ownSequence);
        return new SyncStreamer(node, backlog, channel.pipeline().lastContext(), REQUEST_ID, from);
    }

    /**
     * Journals (and applies) this mapd's next own change, recorded in the backlog as a broadcast would.
     */
    void appendOwn(final String key, final int valueLength, final int replicas)
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
    long append(final long sequence, final int origin, final String key, final long changeVersion,
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

    List<Frame> readFrames()
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
    static void assertStreamShape(final List<Frame> frames, final int mode)
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
    static List<Long> backlogSequences(final List<Frame> frames)
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
    void assertChangesAre(final List<Frame> frames, final long first, final long last)
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
    void assertMatchesGrid(final List<Frame> frames)
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

    void assertAllReleased()
    {
        readFrames();
        for (final ByteBuf buf : allocator.allocated)
        {
            assertEquals(0, buf.refCnt(), "every buffer the streamer allocated is released");
        }
    }
}
