package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairRequestFlyweight;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.server.EventLog;
import io.metrodb.server.EventRate;
import io.netty.buffer.ByteBuf;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Sends the due repairs as REPAIRs to serving mapds: at most {@code repairsPerSec} a second, at most
 * {@link #MAX_IN_FLIGHT_PER_MAPD} in flight per mapd (a mapd works on that many at once and refuses more),
 * first to the mapd whose probe found the key (it has seen that version), else to any other serving mapd.
 * <ul>
 *   <li>OK: done (the mapd re-replicated the key, or found the listed replicas already gone from it).</li>
 *   <li>STALE_VERSION or NOT_FOUND: the key changed or is gone; nothing to do (counted as stale).</li>
 *   <li>anything else (OVERLOADED, NOT_ENOUGH_REPLICAS, REPLICAS_UNREADABLE, timeout, lost connection):
 *   retried with backoff by the {@link RepairQueue}.</li>
 * </ul>
 */
final class Repairer implements ResponseListener
{
    static final int MAX_IN_FLIGHT_PER_MAPD = 4;
    static final int MAX_BAD_PER_REPAIR = RepairQueue.MAX_REPLICAS_PER_REPAIR;

    private final MondAgent agent;
    private final RepairQueue queue;
    private final RateLimiter limiter;
    private final RepairRequestFlyweight repairRequest = new RepairRequestFlyweight();
    private final Long2ObjectHashMap<PendingRepair> inFlight = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<MonitoredNode> inFlightMapd = new Long2ObjectHashMap<>();
    private final short[] badLogdIds = new short[MAX_BAD_PER_REPAIR];
    private final long[] badOffsets = new long[MAX_BAD_PER_REPAIR];
    private final RequestWriter writer;
    private PendingRepair sending;
    private int badCount;
    private long nextToken = 1;
    private final EventRate repairLines = new EventRate("mond: repair lines", 10, 1_000);

    Repairer(final MondAgent agent, final RepairQueue queue, final int repairsPerSec, final long nowNs)
    {
        this.agent = agent;
        this.queue = queue;
        this.limiter = new RateLimiter(repairsPerSec, Math.max(1, repairsPerSec / 10.0), nowNs);
        this.writer = (out, requestId) -> repairRequest.wrapForAppend(out, requestId, sending.key.length, badCount)
            .version(sending.version).versionNode(sending.versionNode).key(sending.key)
            .badReplicas(badCount, badLogdIds, badOffsets)
            .commit();
    }

    void doWork(final long nowNs)
    {
        while (queue.hasDue(nowNs) && hasCapacity() && limiter.tryAcquire(nowNs))
        {
            final PendingRepair repair = queue.pollDue(nowNs);
            if (repair == null)
            {
                return;
            }
            send(repair, choose(repair), nowNs);
        }
    }

    private boolean hasCapacity()
    {
        for (final MonitoredNode mapd : agent.mapds())
        {
            if (mapd.isServing() && mapd.repairsInFlight < MAX_IN_FLIGHT_PER_MAPD)
            {
                return true;
            }
        }
        return false;
    }

    private MonitoredNode choose(final PendingRepair repair)
    {
        final MonitoredNode[] mapds = agent.mapds();
        for (int i = 0; i < mapds.length; i++)
        {
            final MonitoredNode mapd = mapds[(repair.mapd + i) % mapds.length];
            if (mapd.isServing() && mapd.repairsInFlight < MAX_IN_FLIGHT_PER_MAPD)
            {
                return mapd;
            }
        }
        throw new IllegalStateException("no mapd with room, checked by hasCapacity()");
    }

    private void send(final PendingRepair repair, final MonitoredNode mapd, final long nowNs)
    {
        badCount = 0;
        for (int i = 0; i < repair.count && badCount < MAX_BAD_PER_REPAIR; i++)
        {
            if (repair.has(i, PendingRepair.SENT))
            {
                badLogdIds[badCount] = (short)repair.logdIds[i];
                badOffsets[badCount] = repair.offsets[i];
                badCount++;
            }
        }
        sending = repair;
        final long token = nextToken++;
        final int frameLength = FrameHeader.HEADER_LENGTH + RepairRequest.KEY_OFFSET + repair.key.length +
            badCount * Change.REPLICA_LENGTH;
        final long requestId = mapd.connection.send(writer, this, token, frameLength);
        sending = null;
        if (requestId < 0)
        {
            agent.counters().repairsFailed.incrementRelease();
            queue.onFailed(repair, nowNs);
            return;
        }
        inFlight.put(token, repair);
        inFlightMapd.put(token, mapd);
        mapd.repairsInFlight++;
        agent.counters().repairsSent.incrementRelease();
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        final MonitoredNode mapd = inFlightMapd.get(token);
        final PendingRepair repair = complete(token);
        final short status = FrameHeader.status(frame, at);
        final long nowNs = System.nanoTime();
        if (status == StatusCodes.OK)
        {
            agent.counters().repairsDone.incrementRelease();
            if (!queue.repeatsRecentRepair(repair, nowNs) && repairLines.allow())
            {
                logRepair(repair, mapd, frame, at);
            }
            queue.onRepaired(repair, nowNs);
        }
        else if (status == StatusCodes.STALE_VERSION || status == StatusCodes.NOT_FOUND)
        {
            agent.counters().repairsStale.incrementRelease();
            queue.onStale(repair);
        }
        else
        {
            agent.counters().repairsFailed.incrementRelease();
            queue.onFailed(repair, nowNs);
        }
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        final PendingRepair repair = complete(token);
        agent.counters().repairsFailed.incrementRelease();
        queue.onFailed(repair, System.nanoTime());
    }

    /**
     * The "repair done" event line: key, version, the replicas reported bad and the key's replicas now.
     */
    private static void logRepair(final PendingRepair repair, final MonitoredNode mapd, final ByteBuf frame, final int at)
    {
        final StringBuilder line = new StringBuilder(160).append("mond: repair done by mapd ").append(mapd.host)
            .append(':').append(mapd.port).append(": key ").append(EventLog.key(repair.key)).append(" version ")
            .append(repair.version).append(", bad [");
        for (int i = 0; i < repair.count; i++)
        {
            line.append(i == 0 ? "" : ", ").append("logd ").append(repair.logdIds[i]).append(" @ ")
                .append(repair.offsets[i]);
        }
        line.append("] -> replicas [");
        final int count = RepairResponse.isValid(frame, at) ? RepairResponse.replicaCount(frame, at) : 0;
        for (int i = 0; i < count; i++)
        {
            line.append(i == 0 ? "" : ", ").append("logd ").append(RepairResponse.replicaLogdId(frame, at, i))
                .append(" @ ").append(RepairResponse.replicaOffset(frame, at, i));
        }
        EventLog.info(line.append(']').toString());
    }

    private PendingRepair complete(final long token)
    {
        final MonitoredNode mapd = inFlightMapd.remove(token);
        mapd.repairsInFlight--;
        return inFlight.remove(token);
    }
}
