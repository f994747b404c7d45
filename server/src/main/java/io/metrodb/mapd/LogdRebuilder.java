package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.GridWrite;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.ScanRequest;
import io.metrodb.protocol.logd.ScanResponse;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import org.agrona.DirectBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * Rebuilds a lost grid by scanning every logd from offset 0: each value record carries its key and version,
 * so the highest version of each key wins (ties by version node), tombstones included, and the replica list
 * of the winning version collects every logd that holds a copy of it. Runs on the data-path thread (the
 * grid's single writer) before the mapd serves.
 */
final class LogdRebuilder implements RequestWriter, ResponseListener
{
    static final int SCAN_MAX_BYTES = 4 * 1024 * 1024;
    static final int SCAN_MAX_RECORDS = 4096;

    private final KeyGrid grid;
    private final LogdPool logds;
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private final GridEntry existing = new GridEntry();
    private final long[] replicas = new long[GridEntry.MAX_REPLICAS];
    private final FrameView view = new FrameView();
    private final GridWrite write = new GridWrite();
    private int logdIndex;
    private long from;
    private long records;
    private long skipped;
    private long applied;

    /**
     * What a rebuild went through.
     *
     * @param records value records read.
     * @param applied records that won (changed the grid).
     * @param skipped records that were not valid value records (counted, not applied).
     */
    record Result(long records, long applied, long skipped)
    {
    }

    LogdRebuilder(final KeyGrid grid, final LogdPool logds)
    {
        this.grid = grid;
        this.logds = logds;
    }

    /**
     * Starts the scan; on the data-path thread.
     */
    CompletableFuture<Result> start()
    {
        logdIndex = 0;
        from = 0;
        scanNext();
        return done;
    }

    private void scanNext()
    {
        if (logdIndex == logds.size())
        {
            done.complete(new Result(records, applied, skipped));
            return;
        }
        final PeerConnection connection = logds.connection(logdIndex);
        if (connection.send(this, this, logdIndex) < 0)
        {
            done.completeExceptionally(new IllegalStateException("logd " + connection.address() +
                " is not reachable; a rebuild needs every logd"));
        }
    }

    @Override
    public void write(final ByteBuf out, final long requestId)
    {
        ScanRequest.encode(out, requestId, from, SCAN_MAX_BYTES, SCAN_MAX_RECORDS);
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        final PeerConnection connection = logds.connection(logdIndex);
        final short status = FrameHeader.status(frame, at);
        if (status != StatusCodes.OK || !ScanResponse.isValid(frame, at))
        {
            done.completeExceptionally(new IllegalStateException("SCAN of " + connection.address() + " at offset " +
                from + " failed: " + StatusCodes.name(status) + " " + ErrorPayload.message(frame, at)));
            return;
        }
        final int logdId = connection.hello().nodeId();
        int record = ScanResponse.firstRecordIndex(at);
        final int count = ScanResponse.count(frame, at);
        for (int i = 0; i < count; i++)
        {
            onRecord(logdId, ScanResponse.recordOffset(frame, record), frame, ScanResponse.recordBytesIndex(record),
                ScanResponse.recordLength(frame, record));
            record = ScanResponse.nextRecordIndex(frame, record);
        }
        final long next = ScanResponse.nextOffset(frame, at);
        if (count == 0 || next <= from)
        {
            logdIndex++;
            from = 0;
        }
        else
        {
            from = next;
        }
        scanNext();
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        done.completeExceptionally(new IllegalStateException("SCAN of " + logds.connection(logdIndex).address() +
            " failed: " + StatusCodes.name(status)));
    }

    private void onRecord(final int logdId, final long offset, final ByteBuf buf, final int at, final int length)
    {
        records++;
        if (ValueRecord.validate(buf, at, length) != StatusCodes.OK)
        {
            skipped++;
            return;
        }
        final long version = ValueRecord.version(buf, at);
        final int node = ValueRecord.versionNode(buf, at);
        final int keyIndex = ValueRecord.keyIndex(at);
        final int keyLength = ValueRecord.keyLength(buf, at);
        final long replica = GridReplica.pack(logdId, offset);
        final DirectBuffer record = view.wrap(buf);
        if (grid.get(record, keyIndex, keyLength, existing) && existing.version() == version &&
            existing.versionNode() == node)
        {
            final int count = existing.replicaCount();
            if (count < grid.maxReplicas())
            {
                for (int i = 0; i < count; i++)
                {
                    replicas[i] = existing.replica(i);
                }
                replicas[count] = replica;
                grid.replaceReplicas(existing.entryIndex(), version, node, count + 1, replicas);
            }
            return;
        }
        replicas[0] = replica;
        write.key(record, keyIndex, keyLength).version(version, node)
            .flags(ValueRecord.isTombstone(buf, at) ? GridEntry.TOMBSTONE : 0)
            .value(ValueRecord.valueLength(buf, at), ValueRecord.checksum(buf, at)).replicas(1, replicas);
        if (grid.apply(write) == KeyGrid.APPLIED)
        {
            applied++;
        }
    }
}
