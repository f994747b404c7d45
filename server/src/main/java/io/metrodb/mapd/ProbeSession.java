package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridVisitor;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.mapd.BadReplicaFlyweight;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.netty.PeerConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import org.agrona.DirectBuffer;

import java.util.SplittableRandom;

/**
 * One PROBE from mond: picks keys (a random sample of distinct entries, or a walk of the grid from a cursor),
 * reads every replica of each from its logd over the mapd's own logd connections, checks it as GET does, and
 * answers with the bad replicas, followed by those GETs met since the last PROBE.
 * <p>
 * Bounded so that mond cannot hurt clients: at most {@link #MAX_KEYS} keys per PROBE, {@link #KEYS_IN_FLIGHT}
 * keys (each with its replicas' READs) in flight at once, and no new key once {@link #MAX_BAD_BYTES} of bad
 * replicas are collected. The mapd runs one PROBE at a time ({@link MapdNode#tryStartProbe}). Reads are
 * asynchronous: the data path never waits for them. One instance per mapd, reused; data-path thread only.
 */
final class ProbeSession extends RequestSession implements GridVisitor
{
    static final int MAX_KEYS = 1024;
    static final int KEYS_IN_FLIGHT = 16;
    static final int MAX_BAD_BYTES = 1 << 20;

    private static final int REPLICA_BITS = 3;
    private static final int REPLICA_MASK = (1 << REPLICA_BITS) - 1;
    private static final int MAX_BAD_COUNT = 0xFFFF;

    private final GridEntry[] entries = new GridEntry[KEYS_IN_FLIGHT];
    private final ByteBuf[] keys = new ByteBuf[KEYS_IN_FLIGHT];
    private final int[] pendingReads = new int[KEYS_IN_FLIGHT];
    private final boolean[] busy = new boolean[KEYS_IN_FLIGHT];
    private final BadReplicaFlyweight badReplica = new BadReplicaFlyweight();
    private final SplittableRandom random = new SplittableRandom(System.nanoTime());

    private int mode;
    private int keyLimit;
    private int keysVisited;
    private long keysChecked;
    private long cursor;
    private long sampleSize;
    private long sampleStart;
    private long sampleStride;
    private ByteBuf bad;
    private int badCount;
    private int busySlots;
    private int startingSlot = -1;
    private int visitingSlot;
    private long readOffset;
    private boolean pumping;

    ProbeSession(final MapdNode node)
    {
        super(node);
        for (int i = 0; i < KEYS_IN_FLIGHT; i++)
        {
            entries[i] = new GridEntry();
            keys[i] = Unpooled.buffer(64, KeyGrid.MAX_KEY_LENGTH);
        }
    }

    /**
     * Starts the probe asked by a valid PROBE request (the caller keeps the frame).
     */
    void start(final MapdRequestHandler handler, final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        begin(handler, ctx, null, FrameHeader.requestId(frame, at));
        mode = ProbeRequest.mode(frame, at);
        keyLimit = Math.min(MAX_KEYS, ProbeRequest.maxKeys(frame, at));
        cursor = mode == ProbeRequest.MODE_SCAN ? ProbeRequest.cursor(frame, at) : 0;
        if (mode == ProbeRequest.MODE_RANDOM)
        {
            pickSample();
        }
        keysVisited = 0;
        keysChecked = 0;
        badCount = 0;
        busySlots = 0;
        bad = ctx.alloc().heapBuffer(4096);
        node.counters().probes.incrementRelease();
        pump();
    }

    /**
     * A random sample of distinct entries: from a random start, a random stride coprime with the number of entries
     * (so {@code start + k * stride} never repeats), over the entries that exist now.
     */
    private void pickSample()
    {
        sampleSize = node.grid().size();
        keyLimit = (int)Math.min(keyLimit, sampleSize);
        if (sampleSize == 0)
        {
            return;
        }
        sampleStart = random.nextLong(sampleSize);
        sampleStride = 1;
        for (int attempt = 0; attempt < 16 && sampleSize > 2; attempt++)
        {
            final long stride = 1 + random.nextLong(sampleSize - 1);
            if (gcd(stride, sampleSize) == 1)
            {
                sampleStride = stride;
                break;
            }
        }
    }

    private static long gcd(final long a, final long b)
    {
        long x = a;
        long y = b;
        while (y != 0)
        {
            final long t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    /**
     * Starts keys while there is room and work, and answers once nothing is left in flight.
     */
    private void pump()
    {
        if (pumping)
        {
            return;
        }
        pumping = true;
        try
        {
            while (busySlots < KEYS_IN_FLIGHT && canStartKey())
            {
                startKey(freeSlot());
            }
        }
        finally
        {
            pumping = false;
        }
        if (busySlots == 0 && !canStartKey())
        {
            finish();
        }
    }

    private boolean canStartKey()
    {
        if (keysVisited >= keyLimit || bad.readableBytes() >= MAX_BAD_BYTES)
        {
            return false;
        }
        return mode == ProbeRequest.MODE_RANDOM || cursor >= 0 && cursor < node.grid().size();
    }

    private int freeSlot()
    {
        for (int slot = 0; slot < KEYS_IN_FLIGHT; slot++)
        {
            if (!busy[slot])
            {
                return slot;
            }
        }
        throw new IllegalStateException("no free probe slot with " + busySlots + " busy");
    }

    private void startKey(final int slot)
    {
        final long entryIndex = mode == ProbeRequest.MODE_SCAN ? cursor :
            (sampleStart + keysVisited * sampleStride) % sampleSize;
        visitingSlot = slot;
        node.grid().forEach(entryIndex, 1, entries[slot], this);
        if (mode == ProbeRequest.MODE_SCAN)
        {
            cursor = entryIndex + 1;
        }
        keysVisited++;
        final GridEntry entry = entries[slot];
        if (entry.replicaCount() == 0)
        {
            return;
        }
        keysChecked++;
        busy[slot] = true;
        busySlots++;
        pendingReads[slot] = 0;
        startingSlot = slot;
        final LogdPool logds = node.logds();
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            final PeerConnection logd = logds.usable(entry.logdId(r));
            if (logd == null)
            {
                addBad(slot, r, StatusCodes.UNAVAILABLE);
                continue;
            }
            readOffset = entry.offset(r);
            pendingReads[slot]++;
            final long sent = logd.send(this, this, ((long)slot << REPLICA_BITS) | r);
            if (sent < 0)
            {
                pendingReads[slot]--;
                addBad(slot, r, sent == PeerConnection.NOT_READY ? StatusCodes.UNAVAILABLE : StatusCodes.OVERLOADED);
            }
        }
        startingSlot = -1;
        releaseIfDone(slot);
    }

    @Override
    public void onEntry(final DirectBuffer keyBuffer, final int keyIndex, final int keyLength, final GridEntry entry)
    {
        final ByteBuf key = keys[visitingSlot];
        key.clear().ensureWritable(keyLength);
        keyBuffer.getBytes(keyIndex, key.array(), key.arrayOffset(), keyLength);
        key.writerIndex(keyLength);
    }

    @Override
    public void write(final ByteBuf out, final long readRequestId)
    {
        OffsetPayload.encodeReadRequest(out, readRequestId, readOffset);
    }

    @Override
    public void onResponse(final long token, final ByteBuf response, final int at)
    {
        final int slot = (int)(token >>> REPLICA_BITS);
        final int replica = (int)(token & REPLICA_MASK);
        final ByteBuf key = keys[slot];
        final short reason = ReplicaCheck.check(response, at, entries[slot], key, 0, key.readableBytes());
        if (reason != StatusCodes.OK)
        {
            addBad(slot, replica, reason);
        }
        onReadDone(slot);
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        final int slot = (int)(token >>> REPLICA_BITS);
        addBad(slot, (int)(token & REPLICA_MASK), status);
        onReadDone(slot);
    }

    private void onReadDone(final int slot)
    {
        pendingReads[slot]--;
        releaseIfDone(slot);
        pump();
    }

    private void releaseIfDone(final int slot)
    {
        if (busy[slot] && pendingReads[slot] == 0 && slot != startingSlot)
        {
            busy[slot] = false;
            busySlots--;
        }
    }

    private void addBad(final int slot, final int replica, final short reason)
    {
        if (badCount == MAX_BAD_COUNT)
        {
            return;
        }
        final GridEntry entry = entries[slot];
        final ByteBuf key = keys[slot];
        badReplica.wrapForAppend(bad, key.readableBytes())
            .logdId(entry.logdId(replica)).reason(reason).offset(entry.offset(replica))
            .version(entry.version()).versionNode(entry.versionNode()).key(key, 0, key.readableBytes())
            .commit();
        badCount++;
        node.counters().probeBadReplicas.incrementRelease();
    }

    private void finish()
    {
        final long nextCursor = mode == ProbeRequest.MODE_SCAN && cursor >= 0 && cursor < node.grid().size() ? cursor : 0;
        badCount += node.badReplicaQueue().drainTo(bad, MAX_BAD_COUNT - badCount, MAX_BAD_BYTES);
        node.counters().probeKeysChecked.getAndAddRelease(keysChecked);

        final ByteBuf out = ctx.alloc().ioBuffer(
            FrameHeader.HEADER_LENGTH + ProbeResponse.BAD_REPLICAS_OFFSET + bad.readableBytes());
        ProbeResponse.encodeHeader(out, requestId, nextCursor, keysChecked, badCount, bad.readableBytes());
        out.writeBytes(bad);
        bad.release();
        bad = null;
        ctx.writeAndFlush(out, ctx.voidPromise());
        release();
    }

    @Override
    void recycle()
    {
        node.probeDone();
    }
}
