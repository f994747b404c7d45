package io.metrodb.mapd;

import io.metrodb.log.LogResult;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.netty.PeerConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * One SET, SETSAFE or DEL on its way through the write path: the value record goes to RF distinct logds in
 * parallel; when every append is acknowledged the node installs the change in the grid and the journal,
 * then the client is answered. An append that fails is retried on another connected logd not tried yet. A write
 * short of connected logds (fewer than RF at the start, or none left for a retry) waits for one: the pool hands it
 * back as soon as a logd (re)connects and every few ms ({@link LogdPool#awaitLogds}), and it tries again, a logd
 * that failed it included, until its wait ({@code --logd-wait-ms}, from the write's start) is over. Only then does
 * it fail with NOT_ENOUGH_REPLICAS (STORAGE_FULL when the last logd tried answered that), and the grid is left
 * untouched. An append whose logd does not answer within {@code --append-timeout-ms} (a link cut without a FIN
 * holds it) fails as a lost one does and goes to another logd; a late answer is dropped (the record it names is an
 * orphan in an immutable log).
 * <p>
 * A durable write asks each logd for its offset first ({@link AppendRequest#isOffsetFirst}): the offsets come back
 * before the logds force, so the journal entry, the grid and the peers' copies go ahead while the logds force, and
 * the client is answered once the logds' second answers (forced), the journal's force and the peers are all in.
 * Until then the change is visible as a SET's is. A logd that fails its force does not fail the write while another
 * logd can take the record ({@link ForceReappend}).
 * <p>
 * The session coordinates; its pieces, created once with it: the record and its replica list ({@link WriteRecord}),
 * which logd each append went to and which logd is tried next ({@link AppendSlots}), the wait for logds
 * ({@link LogdWait}), the re-append after a failed force ({@link ForceReappend}), and what a durable write still
 * waits for ({@link DurableAcks}).
 * <p>
 * Lives on the data-path thread and is pooled by {@link MapdNode}: it holds the client's request frame
 * (retained) until it answers. Only {@link #onDurable} runs elsewhere (the journal's sync thread), and it
 * just hands the session back to the data-path thread.
 */
final class WriteSession extends JournaledSession implements LogdPool.LogdWaiter
{
    /** Tokens of REPLICATE answers: this plus the peer's index (below it: the logd append slot). */
    static final long PEER_TOKEN_BASE = 1000;
    private static final byte OFFSET_FIRST_DURABLE = (byte)(FrameFlags.DURABLE | FrameFlags.MORE);

    private final WriteRecord record = new WriteRecord(this, node);
    private final AppendSlots slots = new AppendSlots();
    private final LogdWait logdWait = new LogdWait(this, node);
    private final ForceReappend reappend = new ForceReappend(this, slots, logdWait, node);
    private final DurableAcks acks = new DurableAcks();

    private short lastFailure;
    private int pending;
    private boolean committed;
    private long startNs;
    private long committedNs;
    private boolean answered;

    WriteSession(final MapdNode node)
    {
        super(node);
    }

    /**
     * Starts the write; takes ownership of {@code frame}.
     */
    void start(final MapdRequestHandler handler, final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        begin(handler, ctx, frame, FrameHeader.requestId(frame, at));
        record.wrap(frame, at);
        startNs = System.nanoTime();
        record.version(node.clock().next());
        lastFailure = StatusCodes.OK;
        pending = 0;
        acks.reset();
        reappend.reset();
        committed = false;
        answered = false;
        logdWait.reset(startNs);
        slots.reset(node.rf());

        fillOpenSlots();
        finishIfDone();
    }

    /**
     * Sends the open slots' appends when RF logds are connected (else sends nothing: records appended to some
     * logds of a write that then fails are garbage), and waits for logds when a slot is still open and the wait is
     * not over.
     */
    private void fillOpenSlots()
    {
        if (node.logds().writableCount() >= node.rf())
        {
            for (int slot = 0; slot < node.rf(); slot++)
            {
                if (slots.isOpen(slot) && sendTo(slot))
                {
                    slots.close(slot);
                }
            }
        }
        awaitLogdsIfShort();
    }

    /**
     * Waits for logds while a slot is open or waits to be appended again ({@link LogdWait}).
     */
    void awaitLogdsIfShort()
    {
        if (slots.needLogd())
        {
            logdWait.await();
        }
    }

    /**
     * Back from the logd pool: a logd connected or a tick passed. Every logd not holding an append of this write
     * may be tried again (one that failed it may have reconnected since).
     */
    @Override
    public void onLogdWaitOver(final boolean giveUp)
    {
        logdWait.over();
        if (!giveUp)
        {
            slots.restartChoice(node.rf());
            if (slots.hasReappends())
            {
                reappend.fillSlots();
            }
            fillOpenSlots();
        }
        if (slots.hasReappends() && !logdWait.isWaiting())
        {
            reappend.giveUp();
        }
        finishIfDone();
    }

    private boolean sendTo(final int slot)
    {
        final LogdPool logds = node.logds();
        PeerConnection target;
        while ((target = slots.nextLogd(logds, slot)) != null)
        {
            slots.offsetFirst(slot, false);
            if (target.send(this, this, slot, record.appendLength(), logds.appendTimeoutNs(node.rf())) >= 0)
            {
                pending++;
                return true;
            }
        }
        return false;
    }

    @Override
    public void write(final ByteBuf out, final long appendRequestId)
    {
        record.writeAppend(out,
            reappend.isSending() ? FrameFlags.DURABLE : record.isDurable() ? OFFSET_FIRST_DURABLE : 0, appendRequestId);
    }

    @Override
    public void onResponse(final long slot, final ByteBuf response, final int at)
    {
        if (slot >= PEER_TOKEN_BASE)
        {
            onPeerAnswer(FrameHeader.status(response, at) == StatusCodes.OK);
            return;
        }
        final boolean ok = FrameHeader.status(response, at) == StatusCodes.OK &&
            OffsetPayload.validate(response, at) == StatusCodes.OK;
        if (slot >= ForceReappend.TOKEN_BASE)
        {
            reappend.onAnswer((int)(slot - ForceReappend.TOKEN_BASE), ok, FrameHeader.status(response, at),
                ok ? OffsetPayload.offset(response, at) : 0);
            return;
        }
        if (slots.isOffsetFirst((int)slot))
        {
            onForced((int)slot, ok ? StatusCodes.OK : FrameHeader.status(response, at));
            return;
        }
        pending--;
        if (ok)
        {
            slots.replica((int)slot,
                record.addReplica(slots.target((int)slot).hello().nodeId(), OffsetPayload.offset(response, at)));
            if (FrameHeader.hasFlag(response, at, FrameFlags.MORE))
            {
                slots.offsetFirst((int)slot, true);
                acks.awaitForce();
            }
        }
        else
        {
            lastFailure = FrameHeader.status(response, at);
            if (lastFailure == StatusCodes.STORAGE_FULL)
            {
                slots.exclude(slots.logd((int)slot));
            }
            retry((int)slot);
        }
        finishIfDone();
    }

    @Override
    public void onFailure(final long slot, final short status)
    {
        if (slot >= PEER_TOKEN_BASE)
        {
            onPeerAnswer(false);
            return;
        }
        if (slot >= ForceReappend.TOKEN_BASE)
        {
            reappend.onAnswer((int)(slot - ForceReappend.TOKEN_BASE), false, status, 0);
            return;
        }
        if (slots.isOffsetFirst((int)slot))
        {
            onForced((int)slot, status);
            return;
        }
        pending--;
        lastFailure = status;
        retry((int)slot);
        finishIfDone();
    }

    /**
     * The second answer of an offset-first durable append: forced, or not.
     */
    private void onForced(final int slot, final short status)
    {
        slots.offsetFirst(slot, false);
        if (status != StatusCodes.OK)
        {
            reappend.onForceFailed(slot, status);
        }
        else
        {
            forceSettled(status);
        }
    }

    /**
     * A forced answer is in for good (OK, or a failure no other logd made up for).
     */
    void forceSettled(final short status)
    {
        // The last forced answer of the write: a logd may force before another one's offset is in.
        if (acks.forceSettled(status) && pending == 0)
        {
            node.timings().record(RequestTimings.DURABLE_LOGDS_FORCED, System.nanoTime() - startNs);
        }
        if (committed)
        {
            replyWhenDurable();
        }
        else
        {
            releaseWhenSettled();
        }
    }

    private void retry(final int slot)
    {
        node.counters().appendRetries.incrementRelease();
        slots.open(slot);
        if (logdWait.isWaiting())
        {
            return;
        }
        if (sendTo(slot))
        {
            slots.close(slot);
        }
        else
        {
            awaitLogdsIfShort();
        }
    }

    private void finishIfDone()
    {
        // Committed or answered already: a wait for a logd to take a failed force's record again ended.
        if (pending > 0 || logdWait.isWaiting() || committed || answered)
        {
            return;
        }
        if (record.replicaCount() < node.rf())
        {
            final LogdPool logds = node.logds();
            // A full disk is named as such: the operator's fix (free space) is not a logd's restart.
            fail(lastFailure == StatusCodes.STORAGE_FULL ? StatusCodes.STORAGE_FULL : StatusCodes.NOT_ENOUGH_REPLICAS,
                record.replicaCount() + " of rf " + node.rf() + " appends succeeded, " + logds.writableCount() +
                " of " + logds.size() + " logds connected" +
                (logdWait.hasWaited() ? ", after waiting " + (System.nanoTime() - startNs) / 1_000_000 + " ms" : "") +
                " (last failure: " + StatusCodes.name(lastFailure) + ")");
            return;
        }
        committedNs = System.nanoTime();
        node.timings().record(RequestTimings.WRITE_APPENDED, committedNs - startNs);
        node.commit(this);
    }

    private void fail(final short status, final String message)
    {
        if (status == StatusCodes.NOT_ENOUGH_REPLICAS)
        {
            node.counters().notEnoughReplicas.incrementRelease();
        }
        node.counters().writesFailed.incrementRelease();
        handler.replyError(ctx, record.opcode(), requestId, status, message);
        answered = true;
        releaseWhenSettled();
    }

    /**
     * Back to the pool once answered and once no answer can still arrive: a forced answer of a logd, the journal's
     * force, a peer's acknowledgement.
     */
    private void releaseWhenSettled()
    {
        if (answered && acks.settled(committed))
        {
            release();
        }
    }

    /**
     * Back on the data-path thread after the forced journal entry of a durable write.
     */
    @Override
    void onJournalForced(final int status)
    {
        if (!acks.journalForced(status))
        {
            node.timings().record(RequestTimings.DURABLE_JOURNAL, System.nanoTime() - committedNs);
        }
        replyWhenDurable();
    }

    /**
     * A durable write was sent to {@code peers} live peers: answer once all of them answered (or timed out)
     * and the journal entry is forced.
     */
    void awaitPeers(final int peers)
    {
        committed = true;
        acks.awaitPeers(peers);
    }

    private void onPeerAnswer(final boolean acknowledged)
    {
        if (acks.peerAnswered(acknowledged))
        {
            node.timings().record(RequestTimings.DURABLE_PEERS, System.nanoTime() - committedNs);
        }
        replyWhenDurable();
    }

    private void replyWhenDurable()
    {
        if (!acks.allIn())
        {
            return;
        }
        if (acks.journalStatus() != LogResult.OK)
        {
            node.counters().journalErrors.incrementRelease();
            fail(StatusCodes.STORAGE_ERROR, "journal force failed: " + LogResult.describe(acks.journalStatus()));
        }
        else if (acks.forceFailure() != StatusCodes.OK)
        {
            node.counters().forceFailures.incrementRelease();
            fail(StatusCodes.STORAGE_ERROR, "logd " + reappend.failedLogd() + " took the record but did not force it " +
                "(" + StatusCodes.name(acks.forceFailure()) + ") and no other logd took it (" +
                node.logds().writableCount() + " of " + node.logds().size() + " logds connected)");
        }
        else if (reappend.takeReplaced())
        {
            installReplaced();
        }
        else
        {
            replyOk(acks.peersAcked(), acks.peersLive());
        }
    }

    /**
     * Every record is forced, one of them on another logd than the one first given the slot: the key gets the new
     * replica list (if it still holds this write's version: a later write stays), then the client hears OK.
     */
    private void installReplaced()
    {
        final int result = node.installReplicas(record);
        if (result == 0)
        {
            acks.installStarted();
        }
        else if (result == MapdNode.REPAIR_STALE)
        {
            // A later write of the key is installed: this one's records are all forced, and it is superseded.
            replyOk(acks.peersAcked(), acks.peersLive());
        }
        else
        {
            node.counters().journalErrors.incrementRelease();
            fail(StatusCodes.STORAGE_ERROR, "stored on the logds but the journal append of its new replica list " +
                "failed: " + LogResult.describe(result));
        }
    }

    void replyOk(final int peersAcknowledged, final int peersLiveNow)
    {
        final byte opcode = record.opcode();
        handler.replyWrite(ctx, opcode, requestId, record.version(), node.nodeId(), record.replicaCount(),
            peersAcknowledged, peersLiveNow);
        node.timings().record(opcode == Opcodes.SET ? RequestTimings.SET :
            opcode == Opcodes.SETSAFE ? RequestTimings.SETSAFE : RequestTimings.DEL, System.nanoTime() - startNs);
        answered = true;
        releaseWhenSettled();
    }

    void replyJournalError(final long result)
    {
        node.counters().journalErrors.incrementRelease();
        fail(result == LogResult.STORAGE_FULL ? StatusCodes.STORAGE_FULL : StatusCodes.STORAGE_ERROR,
            "stored on the logds but the journal append failed: " + LogResult.describe(result));
    }

    @Override
    void onRelease()
    {
        slots.clearTargets();
    }

    @Override
    void recycle()
    {
        node.releaseWrite(this);
    }

    boolean isAnswered()
    {
        return answered;
    }

    boolean isCommitted()
    {
        return committed;
    }

    /**
     * @return the record this write stores, and its replica list.
     */
    WriteRecord record()
    {
        return record;
    }
}
