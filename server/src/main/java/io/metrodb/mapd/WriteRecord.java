package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.mapd.ValueRecordFlyweight;
import io.netty.buffer.ByteBuf;

/**
 * The value record one {@link WriteSession} stores and where it is stored: the key and value as they lie in the
 * client's request frame, the version, checksum and tombstone bit, the APPEND frame that carries the record to a
 * logd, and the replica list (logd, offset) the appends built. As a {@link ReplicaListChange} it is the new list a
 * write installs when a failed force moved a replica ({@link ForceReappend}); the journal's force of that entry goes
 * to the session.
 * <p>
 * Created once with its pooled session; data-path thread only, except {@link #onDurable}.
 */
final class WriteRecord implements ReplicaListChange
{
    private final WriteSession session;
    private final MapdNode node;
    /** Writes the APPEND frames' value record (on the data-path thread, as every write of the session). */
    private final ValueRecordFlyweight record = new ValueRecordFlyweight();
    private final short[] logdIds = new short[MapdConfig.MAX_RF];
    private final long[] offsets = new long[MapdConfig.MAX_RF];

    private byte opcode;
    private boolean durable;
    private boolean tombstone;
    private int keyIndex;
    private int keyLength;
    private int valueIndex;
    private int valueLength;
    private long version;
    private int checksum;
    private int replicaCount;

    WriteRecord(final WriteSession session, final MapdNode node)
    {
        this.session = session;
        this.node = node;
    }

    /**
     * Takes the key and value of the SET, SETSAFE or DEL at {@code at} of the session's frame; no replica yet.
     */
    void wrap(final ByteBuf frame, final int at)
    {
        opcode = FrameHeader.opcode(frame, at);
        tombstone = opcode == Opcodes.DEL;
        if (tombstone)
        {
            durable = KeyRequest.isDurable(frame, at);
            keyIndex = KeyRequest.keyIndex(at);
            keyLength = KeyRequest.keyLength(frame, at);
            valueIndex = keyIndex + keyLength;
            valueLength = 0;
            checksum = 0;
        }
        else
        {
            durable = opcode == Opcodes.SETSAFE;
            keyIndex = SetRequest.keyIndex(at);
            keyLength = SetRequest.keyLength(frame, at);
            valueIndex = SetRequest.valueIndex(frame, at);
            valueLength = SetRequest.valueLength(frame, at);
            checksum = ValueRecord.checksum(node.crc(), frame, valueIndex, valueLength);
        }
        replicaCount = 0;
    }

    void version(final long version)
    {
        this.version = version;
    }

    /**
     * @return the length of an APPEND frame carrying the record.
     */
    int appendLength()
    {
        return FrameHeader.HEADER_LENGTH + 4 + ValueRecord.length(keyLength, valueLength);
    }

    /**
     * Writes an APPEND frame carrying the record.
     */
    void writeAppend(final ByteBuf out, final byte flags, final long appendRequestId)
    {
        final int recordLength = ValueRecord.length(keyLength, valueLength);
        FrameHeader.writeRequest(out, 4 + recordLength, Opcodes.APPEND, flags, appendRequestId);
        out.writeInt(recordLength);
        record.wrapForAppend(out, keyLength, valueLength)
            .flags(tombstone ? ValueRecord.TOMBSTONE : 0).version(version).versionNode(node.nodeId())
            .checksum(checksum).key(session.frame, keyIndex, keyLength).value(session.frame, valueIndex, valueLength)
            .commit();
    }

    /**
     * A logd stored the record at {@code offset}.
     *
     * @return the index of the new replica in the list.
     */
    int addReplica(final int logdId, final long offset)
    {
        logdIds[replicaCount] = (short)logdId;
        offsets[replicaCount] = offset;
        return replicaCount++;
    }

    /**
     * Replica {@code replica} is now on logd {@code logdId} at {@code offset}.
     */
    void replaceReplica(final int replica, final int logdId, final long offset)
    {
        logdIds[replica] = (short)logdId;
        offsets[replica] = offset;
    }

    /**
     * The journal entry of the new replica list is forced: the session goes on with it.
     */
    @Override
    public void onDurable(final long unused, final Object context, final long offset, final int status)
    {
        session.onDurable(unused, context, offset, status);
    }

    byte opcode()
    {
        return opcode;
    }

    boolean isTombstone()
    {
        return tombstone;
    }

    boolean isDurable()
    {
        return durable;
    }

    @Override
    public ByteBuf frame()
    {
        return session.frame;
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
    public int valueLength()
    {
        return valueLength;
    }

    @Override
    public long version()
    {
        return version;
    }

    @Override
    public int versionNode()
    {
        return node.nodeId();
    }

    /**
     * @return the grid flags of the entry with a replaced replica list: its tombstone bit, and repaired.
     */
    @Override
    public int flags()
    {
        return (tombstone ? GridEntry.TOMBSTONE : 0) | GridEntry.REPAIRED;
    }

    @Override
    public int checksum()
    {
        return checksum;
    }

    @Override
    public int replicaCount()
    {
        return replicaCount;
    }

    @Override
    public short[] logdIds()
    {
        return logdIds;
    }

    @Override
    public long[] offsets()
    {
        return offsets;
    }
}
