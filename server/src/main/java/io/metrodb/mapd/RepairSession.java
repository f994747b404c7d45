package io.metrodb.mapd;

import io.metrodb.log.LogResult;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;

/**
 * One REPAIR from mond: bring a key back to RF good replicas at the same version.
 * <ol>
 *   <li>The grid must still hold the version the probe saw ({@code STALE_VERSION} otherwise), and at least one
 *   listed bad replica must still be in its replica list (otherwise the answer is the current list: a repeated
 *   or concurrent REPAIR changes nothing).</li>
 *   <li>Every other replica is read and checked as GET does; the ones that pass are the good replicas. None:
 *   {@code REPLICAS_UNREADABLE}, nothing changes.</li>
 *   <li>The record bytes of a good replica, unchanged, are appended durably to healthy logds that hold no good
 *   replica (logds holding none of the key's replicas first), until RF replicas are good; a failed append is
 *   retried on another logd.</li>
 *   <li>The grid entry gets the new replica list at the same version, flagged repaired; the change is journaled
 *   (forced before the answer) and sent to the peers flagged {@code REPAIR}.</li>
 * </ol>
 * With too few healthy logds, the copies made are kept (the list becomes good replicas, new copies, then old ones
 * as room allows) and the answer is {@code NOT_ENOUGH_REPLICAS}; with no copy made nothing changes. Pooled by
 * {@link MapdNode}, which runs a few at a time and never two of the same key; data-path thread only, except
 * {@link #onDurable}.
 */
final class RepairSession extends JournaledSession implements ReplicaListChange
{
    private static final long APPEND_TOKEN = 1 << 8;
    private static final byte LISTED_BAD = 1;
    private static final byte READING = 2;
    private static final byte GOOD = 3;
    private static final byte UNVERIFIED = 4;
    private static final int MAX_TRIES = 256;

    private final GridEntry entry = new GridEntry();
    private final FrameView frameView = new FrameView();
    private final byte[] states = new byte[GridEntry.MAX_REPLICAS];
    private final PeerConnection[] targets = new PeerConnection[MapdConfig.MAX_RF];
    private final short[] newLogdIds = new short[GridEntry.MAX_REPLICAS];
    private final long[] newOffsets = new long[GridEntry.MAX_REPLICAS];
    private final short[] copyLogdIds = new short[MapdConfig.MAX_RF];
    private final long[] copyOffsets = new long[MapdConfig.MAX_RF];
    private final int[] tried = new int[MAX_TRIES];
    private final int[] exclude = new int[MAX_TRIES + 2 * GridEntry.MAX_REPLICAS];

    private int keyIndex;
    private int keyLength;
    private long version;
    private int versionNode;
    private ByteBuf source;
    private int pendingReads;
    private int pendingAppends;
    private int good;
    private int copies;
    private int triedCount;
    private int newCount;
    private long readOffset;
    private boolean appending;

    RepairSession(final MapdNode node)
    {
        super(node);
    }

    /**
     * @return true while this session repairs the key at {@code index} of {@code buf}.
     */
    boolean isRepairing(final ByteBuf buf, final int index, final int length)
    {
        return frame != null && length == keyLength && ByteBufUtil.equals(frame, keyIndex, buf, index, length);
    }

    /**
     * Starts the repair asked by a valid REPAIR request; takes ownership of {@code frame}.
     */
    void start(final MapdRequestHandler handler, final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        begin(handler, ctx, frame, FrameHeader.requestId(frame, at));
        keyIndex = RepairRequest.keyIndex(at);
        keyLength = RepairRequest.keyLength(frame, at);
        version = RepairRequest.version(frame, at);
        versionNode = RepairRequest.versionNode(frame, at);
        pendingReads = 0;
        pendingAppends = 0;
        good = 0;
        copies = 0;
        triedCount = 0;
        newCount = 0;
        appending = false;
        node.counters().repairs.incrementRelease();

        if (!node.grid().get(frameView.wrap(frame), keyIndex, keyLength, entry))
        {
            node.counters().repairsFailed.incrementRelease();
            handler.replyNotFound(ctx, Opcodes.REPAIR, requestId);
            release();
            return;
        }
        if (entry.version() != version || entry.versionNode() != versionNode)
        {
            node.counters().repairsStale.incrementRelease();
            fail(StatusCodes.STALE_VERSION, "the key changed since the probe (now version " +
                Long.toUnsignedString(entry.version()) + " node " + entry.versionNode() + "); nothing done");
            return;
        }
        int listed = 0;
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            states[r] = isListedBad(at, entry.logdId(r), entry.offset(r)) ? LISTED_BAD : READING;
            listed += states[r] == LISTED_BAD ? 1 : 0;
        }
        if (listed == 0)
        {
            node.counters().repairsNoop.incrementRelease();
            replyReplicas(currentReplicas());
            return;
        }

        final LogdPool logds = node.logds();
        pendingReads = 1;
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            if (states[r] != READING)
            {
                continue;
            }
            final PeerConnection logd = logds.usable(entry.logdId(r));
            readOffset = entry.offset(r);
            pendingReads++;
            if (logd == null || logd.send(this, this, r) < 0)
            {
                pendingReads--;
                states[r] = UNVERIFIED;
            }
        }
        if (--pendingReads == 0)
        {
            afterReads();
        }
    }

    private boolean isListedBad(final int at, final int logdId, final long offset)
    {
        for (int i = RepairRequest.badCount(frame, at) - 1; i >= 0; i--)
        {
            if (RepairRequest.badLogdId(frame, at, i) == logdId && RepairRequest.badOffset(frame, at, i) == offset)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void write(final ByteBuf out, final long id)
    {
        if (!appending)
        {
            OffsetPayload.encodeReadRequest(out, id, readOffset);
            return;
        }
        final int length = source.readableBytes();
        FrameHeader.writeRequest(out, 4 + length, Opcodes.APPEND, FrameFlags.DURABLE, id);
        out.writeInt(length);
        out.writeBytes(source, source.readerIndex(), length);
    }

    @Override
    public void onResponse(final long token, final ByteBuf response, final int at)
    {
        if (token >= APPEND_TOKEN)
        {
            final int slot = (int)(token - APPEND_TOKEN);
            pendingAppends--;
            if (FrameHeader.status(response, at) == StatusCodes.OK &&
                OffsetPayload.validate(response, at) == StatusCodes.OK)
            {
                copyLogdIds[copies] = (short)targets[slot].hello().nodeId();
                copyOffsets[copies] = OffsetPayload.offset(response, at);
                copies++;
            }
            else
            {
                sendCopy(slot);
            }
            afterAppendIfDone();
            return;
        }
        final int r = (int)token;
        if (ReplicaCheck.check(response, at, entry, frame, keyIndex, keyLength) == StatusCodes.OK)
        {
            states[r] = GOOD;
            if (source == null)
            {
                source = response.retainedSlice(ReadResponse.entryIndex(at), ReadResponse.entryLength(response, at));
            }
        }
        else
        {
            states[r] = UNVERIFIED;
        }
        if (--pendingReads == 0)
        {
            afterReads();
        }
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        if (token >= APPEND_TOKEN)
        {
            pendingAppends--;
            sendCopy((int)(token - APPEND_TOKEN));
            afterAppendIfDone();
            return;
        }
        states[(int)token] = UNVERIFIED;
        if (--pendingReads == 0)
        {
            afterReads();
        }
    }

    private void afterReads()
    {
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            good += states[r] == GOOD ? 1 : 0;
        }
        if (good == 0)
        {
            node.counters().repairsFailed.incrementRelease();
            fail(StatusCodes.REPLICAS_UNREADABLE, "no replica but the listed bad ones could be read and verified; " +
                "nothing done");
            return;
        }
        final int needed = node.rf() - good;
        appending = true;
        pendingAppends = 1;
        for (int slot = 0; slot < needed; slot++)
        {
            sendCopy(slot);
        }
        pendingAppends--;
        afterAppendIfDone();
    }

    /**
     * Appends the record to the next healthy logd that holds no good replica and was not tried yet.
     */
    private void sendCopy(final int slot)
    {
        PeerConnection target;
        while (triedCount < MAX_TRIES && (target = chooseTarget()) != null)
        {
            tried[triedCount++] = target.hello().nodeId();
            targets[slot] = target;
            pendingAppends++;
            if (target.send(this, this, APPEND_TOKEN + slot, FrameHeader.HEADER_LENGTH + 4 + source.readableBytes()) >= 0)
            {
                return;
            }
            pendingAppends--;
        }
    }

    /**
     * A healthy logd holding no good replica and not tried yet; one holding none of the key's replicas if any.
     */
    private PeerConnection chooseTarget()
    {
        int count = 0;
        for (int i = 0; i < triedCount; i++)
        {
            exclude[count++] = tried[i];
        }
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            if (states[r] == GOOD)
            {
                exclude[count++] = entry.logdId(r);
            }
        }
        int avoiding = count;
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            if (states[r] != GOOD)
            {
                exclude[avoiding++] = entry.logdId(r);
            }
        }
        final PeerConnection fresh = node.logds().choose(exclude, avoiding);
        return fresh != null ? fresh : node.logds().choose(exclude, count);
    }

    private void afterAppendIfDone()
    {
        if (pendingAppends > 0)
        {
            return;
        }
        node.counters().repairCopies.getAndAddRelease(copies);
        if (copies == 0 && good < node.rf())
        {
            node.counters().repairsFailed.incrementRelease();
            fail(StatusCodes.NOT_ENOUGH_REPLICAS, good + " of rf " + node.rf() +
                " replicas verified and no healthy logd took a copy; nothing done");
            return;
        }
        buildNewList();
        final int result = node.installReplicas(this);
        if (result == MapdNode.REPAIR_STALE)
        {
            node.counters().repairsStale.incrementRelease();
            fail(StatusCodes.STALE_VERSION, "the key changed during the repair; nothing done");
        }
        else if (result < 0)
        {
            node.counters().journalErrors.incrementRelease();
            node.counters().repairsFailed.incrementRelease();
            fail(StatusCodes.STORAGE_ERROR, "repaired in the grid but the journal append failed: " +
                LogResult.describe(result));
        }
    }

    /**
     * Good replicas first, then the new copies, then (only when short of RF) the old replicas that could not be
     * verified and the listed bad ones, so nothing that might come back is forgotten.
     */
    private void buildNewList()
    {
        newCount = 0;
        addReplicas(GOOD);
        for (int i = 0; i < copies && newCount < node.rf(); i++)
        {
            newLogdIds[newCount] = copyLogdIds[i];
            newOffsets[newCount] = copyOffsets[i];
            newCount++;
        }
        addReplicas(UNVERIFIED);
        addReplicas(LISTED_BAD);
    }

    private void addReplicas(final byte state)
    {
        for (int r = 0; r < entry.replicaCount() && newCount < node.rf(); r++)
        {
            if (states[r] == state)
            {
                newLogdIds[newCount] = (short)entry.logdId(r);
                newOffsets[newCount] = entry.offset(r);
                newCount++;
            }
        }
    }

    /**
     * The journal entry of the repair is forced: answer.
     */
    @Override
    void onJournalForced(final int journalStatus)
    {
        if (journalStatus != LogResult.OK)
        {
            node.counters().journalErrors.incrementRelease();
            node.counters().repairsFailed.incrementRelease();
            fail(StatusCodes.STORAGE_ERROR, "journal force failed: " + LogResult.describe(journalStatus));
            return;
        }
        if (good + copies >= node.rf())
        {
            node.counters().repairsDone.incrementRelease();
            replyReplicas(newCount);
        }
        else
        {
            node.counters().repairsPartial.incrementRelease();
            fail(StatusCodes.NOT_ENOUGH_REPLICAS, (good + copies) + " of rf " + node.rf() +
                " good replicas after the repair (too few healthy logds); the copies made are in the replica list");
        }
    }

    private int currentReplicas()
    {
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            newLogdIds[r] = (short)entry.logdId(r);
            newOffsets[r] = entry.offset(r);
        }
        return entry.replicaCount();
    }

    private void replyReplicas(final int count)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(
            FrameHeader.HEADER_LENGTH + RepairResponse.REPLICAS_OFFSET + count * Change.REPLICA_LENGTH);
        RepairResponse.encode(out, requestId, count, newLogdIds, newOffsets);
        ctx.writeAndFlush(out, ctx.voidPromise());
        release();
    }

    private void fail(final short status, final String message)
    {
        handler.replyError(ctx, Opcodes.REPAIR, requestId, status, message);
        release();
    }

    @Override
    void onRelease()
    {
        if (source != null)
        {
            source.release();
            source = null;
        }
        clear(targets);
    }

    @Override
    void recycle()
    {
        node.repairDone(this);
    }

    @Override
    public ByteBuf frame()
    {
        return frame;
    }

    @Override
    public int keyIndex()
    {
        return keyIndex;
    }

    @Override
    public int keyLength()
    {
        return keyLength;
    }

    @Override
    public long version()
    {
        return version;
    }

    @Override
    public int versionNode()
    {
        return versionNode;
    }

    /**
     * @return the grid flags of the repaired entry: its tombstone bit, and repaired.
     */
    @Override
    public int flags()
    {
        return (entry.flags() & GridEntry.TOMBSTONE) | GridEntry.REPAIRED;
    }

    @Override
    public int valueLength()
    {
        return entry.valueLength();
    }

    @Override
    public int checksum()
    {
        return entry.checksum();
    }

    @Override
    public int replicaCount()
    {
        return newCount;
    }

    @Override
    public short[] logdIds()
    {
        return newLogdIds;
    }

    @Override
    public long[] offsets()
    {
        return newOffsets;
    }
}
