package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.GridWrite;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.JournalEntry;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.server.EventLog;
import io.metrodb.server.EventRate;
import io.metrodb.server.FrameView;
import io.metrodb.server.counters.CountersFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayDeque;

/**
 * The state of one mapd's data path, owned by its single data-path thread: the grid (of which that thread is
 * the single writer), the logd connections, the clock, the journal, pools of request sessions, and what mond
 * asks of the mapd (the cluster view, the one PROBE in progress, the REPAIRs in progress, bad replicas GETs met).
 */
final class MapdNode
{
    /** REPAIRs in progress at once; more are answered OVERLOADED. */
    static final int MAX_REPAIRS = 4;
    /** {@link #installReplicas} result: the key's version changed meanwhile. */
    static final int REPAIR_STALE = 1;

    private final int nodeId;
    private final int rf;
    private final int maxValueLength;
    private final KeyGrid grid;
    private final LogdPool logds;
    private final GridJournal journal;
    private final HybridClock clock;
    private final MapdCounters counters;
    private final CountersFile countersFile;
    private final RequestTimings timings;
    private final ArrayDeque<WriteSession> writeSessions = new ArrayDeque<>();
    private final ArrayDeque<ReadSession> readSessions = new ArrayDeque<>();
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    private final long[] packedReplicas = new long[MapdConfig.MAX_RF];
    /** The data-path thread's view of a session's frame and its grid change holder. */
    private final FrameView frameView = new FrameView();
    private final GridWrite gridWrite = new GridWrite();
    /** The data-path thread's writer of journal entries' change bodies. */
    private final ChangeFlyweight change = new ChangeFlyweight();
    private final ByteBuf journalScratch = PooledByteBufAllocator.DEFAULT.directBuffer(GridJournal.MAX_ENTRY_LENGTH);
    private final ClusterViewState clusterView;
    private final LocalReads localReads;
    private final BadReplicaQueue badReplicaQueue = new BadReplicaQueue();
    private final EventRate corruptReplicaLines;
    private final ProbeSession probe = new ProbeSession(this);
    private final RepairSession[] repairs = new RepairSession[MAX_REPAIRS];
    private final ArrayDeque<RepairSession> repairSessions = new ArrayDeque<>();
    private boolean probing;
    private volatile boolean stopping;
    private int requestsInFlight;
    private Runnable onIdle;
    private volatile long ownSequence;
    private long lastJournalPosition;
    private long reportedUnreadableJournal = -1;
    private Replicator replicator;

    MapdNode(
        final int nodeId,
        final int rf,
        final int maxValueLength,
        final KeyGrid grid,
        final LogdPool logds,
        final GridJournal journal,
        final long ownSequence)
    {
        this(nodeId, rf, maxValueLength, grid, logds, journal, ownSequence, false);
    }

    /**
     * @param localReads read replicas on verified same-host logds from their segment files ({@link LocalReads}).
     */
    MapdNode(
        final int nodeId,
        final int rf,
        final int maxValueLength,
        final KeyGrid grid,
        final LogdPool logds,
        final GridJournal journal,
        final long ownSequence,
        final boolean localReads)
    {
        this(nodeId, rf, maxValueLength, grid, logds, journal, ownSequence, localReads, CountersFile.inMemory("mapd"),
            new HybridClock());
    }

    /**
     * @param countersFile the mapd's counters file: its counters go there, and it is closed with the node.
     * @param clock    the clock that versions writes (its wall clock from the owner).
     */
    MapdNode(
        final int nodeId,
        final int rf,
        final int maxValueLength,
        final KeyGrid grid,
        final LogdPool logds,
        final GridJournal journal,
        final long ownSequence,
        final boolean localReads,
        final CountersFile countersFile,
        final HybridClock clock)
    {
        this.countersFile = countersFile;
        this.counters = new MapdCounters(countersFile.countersManager());
        this.timings = new RequestTimings(countersFile.countersManager());
        this.clock = clock;
        this.nodeId = nodeId;
        this.rf = rf;
        this.maxValueLength = maxValueLength;
        this.grid = grid;
        this.logds = logds;
        this.journal = journal;
        this.ownSequence = ownSequence;
        this.clusterView = new ClusterViewState(logds);
        this.localReads = new LocalReads(localReads, counters, crc);
        logds.logdListener(this.localReads);
        this.corruptReplicaLines = new EventRate("mapd " + nodeId + ": corrupt replica lines", 10, 1_000);
    }

    /**
     * A GET found a replica whose bytes are bad and queued it for mond (once per replica while it waits there):
     * one event line, at most 10 a second.
     */
    void onCorruptReplica(
        final ByteBuf key, final int keyIndex, final int keyLength, final int logdId, final long offset,
        final long version, final short reason)
    {
        if (corruptReplicaLines.allow())
        {
            final byte[] bytes = new byte[keyLength];
            key.getBytes(keyIndex, bytes);
            EventLog.warn("mapd " + nodeId + ": corrupt replica found by a GET: key " + EventLog.key(bytes) +
                " version " + version + ", replica on logd " + logdId + " at offset " + offset + " (" +
                StatusCodes.name(reason) + "); reported to mond, served from another replica if one is good");
        }
    }

    LocalReads localReads()
    {
        return localReads;
    }

    void replicator(final Replicator replicator)
    {
        this.replicator = replicator;
    }

    Replicator replicator()
    {
        return replicator;
    }

    GridJournal journal()
    {
        return journal;
    }

    /**
     * @return the journal position of the last change this node originated.
     */
    long lastJournalPosition()
    {
        return lastJournalPosition;
    }

    /**
     * @return the data-path thread's reusable checksum.
     */
    java.util.zip.CRC32C crc()
    {
        return crc;
    }

    int nodeId()
    {
        return nodeId;
    }

    int rf()
    {
        return rf;
    }

    int maxValueLength()
    {
        return maxValueLength;
    }

    KeyGrid grid()
    {
        return grid;
    }

    LogdPool logds()
    {
        return logds;
    }

    HybridClock clock()
    {
        return clock;
    }

    RequestTimings timings()
    {
        return timings;
    }

    MapdCounters counters()
    {
        return counters;
    }

    /**
     * @return the sequence of the last change this node originated (read by the snapshot thread).
     */
    long ownSequence()
    {
        return ownSequence;
    }

    ClusterViewState clusterView()
    {
        return clusterView;
    }

    BadReplicaQueue badReplicaQueue()
    {
        return badReplicaQueue;
    }

    /**
     * Says, from now on, that this mapd is stopping (HEARTBEAT reports it).
     */
    void stopping()
    {
        stopping = true;
    }

    /**
     * @return true the first time an unreadable journal record at {@code position} is reported (log it then).
     */
    boolean firstReportOfUnreadableJournal(final long position)
    {
        if (position == reportedUnreadableJournal)
        {
            return false;
        }
        reportedUnreadableJournal = position;
        return true;
    }

    /**
     * @return true once this mapd is stopping: client requests are then refused with SHUTTING_DOWN.
     */
    boolean isStopping()
    {
        return stopping;
    }

    /**
     * A client request (GET, write, PROBE, REPAIR) started; it ends with {@link #requestDone()}.
     */
    void requestStarted()
    {
        requestsInFlight++;
    }

    void requestDone()
    {
        if (--requestsInFlight == 0 && onIdle != null)
        {
            final Runnable idle = onIdle;
            onIdle = null;
            idle.run();
        }
    }

    /**
     * @return client requests in progress.
     */
    int requestsInFlight()
    {
        return requestsInFlight;
    }

    /**
     * Runs {@code idle} on the data-path thread once no client request is in progress (now when none is).
     */
    void whenIdle(final Runnable idle)
    {
        if (requestsInFlight == 0)
        {
            idle.run();
        }
        else
        {
            onIdle = idle;
        }
    }

    /**
     * @return the HEARTBEAT state: stopping, catching up from a peer, or serving.
     */
    int heartbeatState()
    {
        if (stopping)
        {
            return HeartbeatResponse.STATE_STOPPING;
        }
        return replicator.isCatchingUp() ? HeartbeatResponse.STATE_CATCHING_UP : HeartbeatResponse.STATE_SERVING;
    }

    /**
     * @return the PROBE session, or null when one is already in progress (the caller answers OVERLOADED).
     */
    ProbeSession tryStartProbe()
    {
        if (probing)
        {
            return null;
        }
        probing = true;
        return probe;
    }

    void probeDone()
    {
        probing = false;
    }

    /**
     * @return a REPAIR session for the key, or null when {@link #MAX_REPAIRS} are in progress or one of the same
     * key is (the caller answers OVERLOADED).
     */
    RepairSession tryStartRepair(final ByteBuf key, final int keyIndex, final int keyLength)
    {
        int free = -1;
        for (int i = 0; i < repairs.length; i++)
        {
            if (repairs[i] == null)
            {
                free = free < 0 ? i : free;
            }
            else if (repairs[i].isRepairing(key, keyIndex, keyLength))
            {
                return null;
            }
        }
        if (free < 0)
        {
            return null;
        }
        final RepairSession pooled = repairSessions.poll();
        final RepairSession session = pooled != null ? pooled : new RepairSession(this);
        repairs[free] = session;
        return session;
    }

    void repairDone(final RepairSession session)
    {
        for (int i = 0; i < repairs.length; i++)
        {
            if (repairs[i] == session)
            {
                repairs[i] = null;
            }
        }
        repairSessions.push(session);
    }

    WriteSession acquireWrite()
    {
        final WriteSession session = writeSessions.poll();
        return session != null ? session : new WriteSession(this);
    }

    void releaseWrite(final WriteSession session)
    {
        writeSessions.push(session);
    }

    ReadSession acquireRead()
    {
        final ReadSession session = readSessions.poll();
        return session != null ? session : new ReadSession(this);
    }

    void releaseRead(final ReadSession session)
    {
        readSessions.push(session);
    }

    /**
     * Every replica of a write is stored: journal it, install it in the grid, answer (SETSAFE: once the journal
     * entry is forced). The journal goes first: when it refuses the entry (e.g. its disk is full) the write fails
     * with STORAGE_FULL (STORAGE_ERROR for another journal error) and changes nothing, neither the grid nor this
     * mapd's change numbering, so the numbers its peers see stay gapless (a number taken and never journaled nor
     * sent would leave a hole that a peer's SYNC can never fill).
     */
    void commit(final WriteSession session)
    {
        final WriteRecord record = session.record();
        final int replicas = record.replicaCount();
        final int flags = record.isTombstone() ? io.metrodb.mapd.grid.GridEntry.TOMBSTONE : 0;
        final long sequence = ownSequence + 1;
        journalScratch.clear();
        JournalEntry.writeHeader(journalScratch, sequence, nodeId);
        change.wrapForAppend(journalScratch, record.keyLength(), replicas)
            .version(record.version()).versionNode(nodeId).flags(flags)
            .valueLength(record.valueLength()).checksum(record.checksum())
            .key(record.frame(), record.keyIndex(), record.keyLength())
            .replicas(replicas, record.logdIds(), record.offsets())
            .commit();
        final long result = record.isDurable() ?
            journal.appendDurable(journalScratch, session, 0, null) : journal.append(journalScratch);
        if (result < 0)
        {
            session.replyJournalError(result);
            return;
        }
        ownSequence = sequence;
        lastJournalPosition = result;

        for (int i = 0; i < replicas; i++)
        {
            packedReplicas[i] = GridReplica.pack(record.logdIds()[i] & 0xFFFF, record.offsets()[i]);
        }
        grid.apply(gridWrite.key(frameView.wrap(record.frame()), record.keyIndex(), record.keyLength())
            .version(record.version(), nodeId).flags(flags).value(record.valueLength(), record.checksum())
            .replicas(replicas, packedReplicas));

        if (record.isDurable())
        {
            final int peers = replicator.broadcast(journalScratch, session, WriteSession.PEER_TOKEN_BASE);
            session.awaitPeers(peers);
        }
        else
        {
            session.replyOk(0, replicator.broadcast(journalScratch, null, 0));
        }
    }

    /**
     * A repair made its copies, or a SETSAFE's record was forced on another logd than the one that failed to force
     * it: install the new replica list at the same version, journal the change (the session is told once it is
     * forced) and send it to the peers flagged REPAIR (a peer installs it only over that same version).
     *
     * @return 0 when installed and journaled, {@link #REPAIR_STALE} when the key's version changed meanwhile
     * (nothing changed), or a negative {@code LogResult} when the journal refused the entry (the grid changed).
     */
    int installReplicas(final ReplicaListChange session)
    {
        final int replicas = session.replicaCount();
        for (int i = 0; i < replicas; i++)
        {
            packedReplicas[i] = GridReplica.pack(session.logdIds()[i] & 0xFFFF, session.offsets()[i]);
        }
        if (grid.applyRepair(gridWrite.key(frameView.wrap(session.frame()), session.keyIndex(), session.keyLength())
            .version(session.version(), session.versionNode()).flags(session.flags())
            .value(session.valueLength(), session.checksum()).replicas(replicas, packedReplicas)) != KeyGrid.APPLIED)
        {
            return REPAIR_STALE;
        }

        final long sequence = ownSequence + 1;
        journalScratch.clear();
        JournalEntry.writeHeader(journalScratch, sequence, nodeId);
        change.wrapForAppend(journalScratch, session.keyLength(), replicas)
            .version(session.version()).versionNode(session.versionNode()).flags(session.flags())
            .valueLength(session.valueLength()).checksum(session.checksum())
            .key(session.frame(), session.keyIndex(), session.keyLength())
            .replicas(replicas, session.logdIds(), session.offsets())
            .commit();
        final long result = journal.appendDurable(journalScratch, session, 0, null);
        if (result < 0)
        {
            // The number is not taken: the next change gets it, so the numbering peers see stays gapless.
            return (int)result;
        }
        ownSequence = sequence;
        lastJournalPosition = result;
        replicator.broadcast(journalScratch, null, 0);
        return 0;
    }

    /**
     * Journals a change applied from a peer.
     *
     * @param sequence its number at the origin, 0 when not applied in order.
     * @return false when the journal refused it.
     */
    boolean journalChange(final long sequence, final int origin, final ByteBuf buf, final int change)
    {
        journalScratch.clear();
        journalScratch.writeLong(sequence).writeShort(origin).writeShort(0);
        journalScratch.writeBytes(buf, change, io.metrodb.protocol.mapd.Change.length(buf, change));
        if (journal.append(journalScratch) < 0)
        {
            counters.journalErrors.incrementRelease();
            return false;
        }
        return true;
    }

    void close()
    {
        journalScratch.release();
        countersFile.close();
    }

    /**
     * @return the mapd's counters file (its errors go to the error log there).
     */
    CountersFile countersFile()
    {
        return countersFile;
    }
}
