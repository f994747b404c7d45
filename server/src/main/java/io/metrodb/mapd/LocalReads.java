package io.metrodb.mapd;

import io.metrodb.log.RecordHeader;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.agrona.collections.Long2LongHashMap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Serves GETs from the segment files of logds on this host, skipping the READ round trip.
 * <p>
 * A logd is read locally only once verified, after each (re)connect: the mapd asks it for INFO, and the
 * directory it announces ({@code data_dir}) must exist here and hold the announced store id ({@code store.id})
 * and the node id the logd gave in HELLO ({@code node.id}). A lost connection forgets the verification and
 * closes the files; a read also checks that the connection it was verified on is still the current one.
 * <p>
 * A read is a positional read ({@code pread}) of the whole record into one reused direct buffer, never a
 * mapping, so a truncated file is a short read. It checks what logd's READ checks (the magic tied to the
 * offset, the length, no flags, the payload's CRC32C) and what the mapd checks on a READ answer
 * ({@link ReplicaCheck}: the value's CRC32C, key, version, version node, tombstone flag, length, checksum).
 * On any doubt the caller reads the replica over the network as before; each such fallback is counted by
 * reason. Data-path thread only; nothing is allocated per read but the reply's pooled value buffer.
 */
final class LocalReads implements PeerConnection.StateListener, AutoCloseable
{
    /** Largest record read locally; larger ones are read over the network (the scratch buffer stays small). */
    static final int MAX_RECORD_FRAME_LENGTH = 1 << 20;

    private static final System.Logger LOG = System.getLogger(LocalReads.class.getName());
    private static final int INITIAL_SCRATCH_LENGTH = 64 * 1024;
    private static final long NO_COUNT = -1;

    private final boolean enabled;
    private final MapdCounters counters;
    private final CRC32C crc;
    private final LocalLogd[] byNodeId = new LocalLogd[0x10000];
    private final Long2LongHashMap servedByDropped = new Long2LongHashMap(NO_COUNT);
    private final LocalStoreVerifier verifier = new LocalStoreVerifier();
    private ByteBuffer scratch;
    private ByteBuf scratchView;
    private int verified;
    private long verifications;
    private long refusals;

    /**
     * @param enabled  false for {@code --local-reads=off}: nothing is verified, every read goes over the network.
     * @param counters where reads served and fallbacks are counted.
     * @param crc      the data-path thread's reusable CRC32C.
     */
    LocalReads(final boolean enabled, final MapdCounters counters, final CRC32C crc)
    {
        this.enabled = enabled;
        this.counters = counters;
        this.crc = crc;
    }

    /**
     * @return true when replicas on this logd are read locally first.
     */
    boolean isLocal(final int nodeId)
    {
        final LocalLogd local = byNodeId[nodeId & 0xFFFF];
        return local != null && local.isCurrent();
    }

    /**
     * Reads one replica of a GET's key from the logd's segment file and checks it.
     *
     * @param logdId    the replica's logd.
     * @param offset    the replica's offset.
     * @param entry     the key's grid entry.
     * @param key       buffer holding the key.
     * @param keyIndex  index of the key in it.
     * @param keyLength key length.
     * @param alloc     allocator for the value buffer handed back.
     * @return the value (readable bytes; the caller owns it), or null when the replica is not local or did not
     * verify (then read it over the network; a fallback was counted).
     */
    ByteBuf read(
        final int logdId,
        final long offset,
        final GridEntry entry,
        final ByteBuf key,
        final int keyIndex,
        final int keyLength,
        final ByteBufAllocator alloc)
    {
        final LocalLogd local = byNodeId[logdId & 0xFFFF];
        if (local == null)
        {
            return null;
        }
        if (!local.isCurrent())
        {
            drop(local);
            return null;
        }
        final int valueLength = entry.valueLength();
        if (valueLength < 0 || valueLength > MAX_RECORD_FRAME_LENGTH)
        {
            counters.localReadsTooLarge.incrementRelease();
            return null;
        }
        final int payloadLength = ValueRecord.length(keyLength, valueLength);
        final int frameLength = RecordHeader.HEADER_LENGTH + payloadLength;
        if (frameLength > MAX_RECORD_FRAME_LENGTH)
        {
            counters.localReadsTooLarge.incrementRelease();
            return null;
        }
        final int position = (int)(offset & (local.segmentLength - 1));
        if (offset < 0 || (offset & (RecordHeader.ALIGNMENT - 1)) != 0 ||
            position > local.segmentLength - frameLength)
        {
            counters.localReadFallbacksBadRecord.incrementRelease();
            return fallback();
        }
        final long segment = offset >>> local.segmentShift;
        final FileChannel channel = segment < Integer.MAX_VALUE ? local.channel((int)segment) : null;
        if (channel == null)
        {
            counters.localReadFallbacksMissing.incrementRelease();
            return fallback();
        }
        final ByteBuffer buffer = scratch(frameLength);
        try
        {
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer, position + buffer.position()) < 0)
                {
                    counters.localReadFallbacksShort.incrementRelease();
                    return fallback();
                }
            }
        }
        catch (final IOException | RuntimeException e)
        {
            local.closeSegment((int)segment);
            counters.localReadFallbacksIoError.incrementRelease();
            return fallback();
        }

        final ByteBuf record = scratchView;
        if (record.getIntLE(RecordHeader.MAGIC_OFFSET) != RecordHeader.magic(offset) ||
            record.getIntLE(RecordHeader.LENGTH_OFFSET) != payloadLength ||
            record.getIntLE(RecordHeader.FLAGS_OFFSET) != 0 ||
            record.getIntLE(RecordHeader.CRC_OFFSET) !=
                ValueRecord.checksum(crc, record, RecordHeader.HEADER_LENGTH, payloadLength))
        {
            counters.localReadFallbacksBadRecord.incrementRelease();
            return fallback();
        }
        final int at = RecordHeader.HEADER_LENGTH;
        final int valueIndex = at + ValueRecord.KEY_OFFSET + keyLength;
        if (ValueRecord.format(record, at) != ValueRecord.FORMAT_V1 ||
            ValueRecord.keyLength(record, at) != keyLength ||
            ValueRecord.valueLength(record, at) != entry.valueLength() ||
            ValueRecord.isTombstone(record, at) != entry.isTombstone() ||
            ValueRecord.version(record, at) != entry.version() ||
            ValueRecord.versionNode(record, at) != entry.versionNode() ||
            ValueRecord.checksum(record, at) != entry.checksum() ||
            !ByteBufUtil.equals(record, at + ValueRecord.KEY_OFFSET, key, keyIndex, keyLength) ||
            ValueRecord.checksum(crc, record, valueIndex, entry.valueLength()) != entry.checksum())
        {
            counters.localReadFallbacksMismatch.incrementRelease();
            return fallback();
        }
        final ByteBuf value = alloc.directBuffer(entry.valueLength());
        value.writeBytes(record, valueIndex, entry.valueLength());
        local.served++;
        counters.localReads.incrementRelease();
        return value;
    }

    private ByteBuf fallback()
    {
        counters.localReadFallbacks.incrementRelease();
        return null;
    }

    /**
     * @return the scratch buffer cleared to {@code length} bytes, grown if needed (rarely: to the largest record).
     */
    private ByteBuffer scratch(final int length)
    {
        if (scratch == null || scratch.capacity() < length)
        {
            final int capacity = Math.min(MAX_RECORD_FRAME_LENGTH,
                Math.max(INITIAL_SCRATCH_LENGTH, Integer.highestOneBit(length - 1) << 1));
            scratch = ByteBuffer.allocateDirect(capacity);
            scratchView = Unpooled.wrappedBuffer(scratch.duplicate());
        }
        scratch.clear().limit(length);
        return scratch;
    }

    @Override
    public void onReady(final PeerConnection connection, final HandshakeResult hello)
    {
        dropConnection(connection);
        final LocalLogd old = byNodeId[hello.nodeId()];
        if (old != null)
        {
            drop(old);
        }
        if (enabled)
        {
            final InfoRequest request = new InfoRequest(connection, hello.nodeId(), connection.connects());
            if (connection.send(request, request, 0) < 0)
            {
                refuse(connection, "could not ask it for INFO");
            }
        }
    }

    @Override
    public void onLost(final PeerConnection connection)
    {
        dropConnection(connection);
    }

    /**
     * Asks a logd where its store lives, then verifies that here.
     */
    private final class InfoRequest implements RequestWriter, ResponseListener
    {
        private final PeerConnection connection;
        private final int nodeId;
        private final long connects;

        InfoRequest(final PeerConnection connection, final int nodeId, final long connects)
        {
            this.connection = connection;
            this.nodeId = nodeId;
            this.connects = connects;
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            Info.encodeRequest(out, requestId, "");
        }

        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            if (!connection.isReady() || connection.connects() != connects ||
                connection.hello().nodeId() != nodeId)
            {
                return;
            }
            if (FrameHeader.status(frame, at) != StatusCodes.OK || !Info.isValidResponse(frame, at))
            {
                refuse(connection, "its INFO answer is not usable");
                return;
            }
            verify(connection, nodeId, Info.text(frame, at));
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            if (connection.connects() == connects)
            {
                refuse(connection, "it did not answer INFO (" + StatusCodes.name(status) + ")");
            }
        }
    }

    /**
     * Verifies that the store a logd announced in INFO is on this host's file system, readable here
     * ({@link LocalStoreVerifier}); then reads its replicas locally.
     */
    void verify(final PeerConnection connection, final int nodeId, final String info)
    {
        if (!verifier.verify(nodeId, info))
        {
            refuse(connection, verifier.refusal());
            return;
        }
        final Path dir = verifier.dir();
        final LocalLogd old = byNodeId[nodeId];
        if (old != null)
        {
            drop(old);
        }
        byNodeId[nodeId] = new LocalLogd(nodeId, connection, dir, verifier.segmentLength());
        verified++;
        verifications++;
        LOG.log(System.Logger.Level.INFO, "logd " + nodeId + " at " + endpoint(connection) +
            " is on this host: reading its segment files in " + dir + " directly");
    }

    private void refuse(final PeerConnection connection, final String why)
    {
        refusals++;
        LOG.log(System.Logger.Level.INFO, "logd at " + endpoint(connection) + " is read over the network: " + why);
    }

    private static String endpoint(final PeerConnection connection)
    {
        return connection.address().getHostString() + ":" + connection.address().getPort();
    }

    private void dropConnection(final PeerConnection connection)
    {
        for (final LocalLogd local : byNodeId)
        {
            if (local != null && local.connection == connection)
            {
                drop(local);
            }
        }
    }

    private void drop(final LocalLogd local)
    {
        local.close();
        if (byNodeId[local.nodeId] == local)
        {
            byNodeId[local.nodeId] = null;
            verified--;
        }
        if (local.served > 0)
        {
            servedByDropped.put(local.nodeId, servedBefore(local.nodeId) + local.served);
            local.served = 0;
        }
    }

    private long servedBefore(final int nodeId)
    {
        final long served = servedByDropped.get(nodeId);
        return served == NO_COUNT ? 0 : served;
    }

    /**
     * @return GETs served from this logd's files so far.
     */
    long served(final int nodeId)
    {
        final LocalLogd local = byNodeId[nodeId & 0xFFFF];
        return servedBefore(nodeId) + (local != null ? local.served : 0);
    }

    /**
     * Appends INFO's local-read lines.
     */
    void appendInfo(final StringBuilder text)
    {
        text.append("local_reads:").append(enabled ? "auto" : "off").append('\n')
            .append("local_logds:").append(verified).append('\n')
            .append("local_logd_ids:");
        boolean first = true;
        for (final LocalLogd local : byNodeId)
        {
            if (local != null)
            {
                text.append(first ? "" : ",").append(local.nodeId);
                first = false;
            }
        }
        text.append('\n')
            .append("local_logd_verifications:").append(verifications).append('\n')
            .append("local_logd_refusals:").append(refusals).append('\n');
    }

    @Override
    public void close()
    {
        for (final LocalLogd local : byNodeId)
        {
            if (local != null)
            {
                drop(local);
            }
        }
    }
}
