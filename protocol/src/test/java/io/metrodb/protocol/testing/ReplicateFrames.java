package io.metrodb.protocol.testing;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.netty.buffer.ByteBuf;

/**
 * Builds a whole REPLICATE frame through the flyweights, as mapd's Replicator sends it: the frame header and the
 * {@link ReplicateRequest} header (sequence, origin node, reserved), then the {@link Change} written by the
 * returned {@link ChangeFlyweight}, whose {@link ChangeFlyweight#commit()} ends the frame.
 * <pre>{@code
 * ReplicateFrames.wrapForAppend(out, change, requestId, sequence, originNode, key.length, replicaCount)
 *     .version(version).versionNode(versionNode).flags(0).valueLength(valueLength).checksum(checksum)
 *     .key(key).replicas(replicaCount, logdIds, offsets)
 *     .commit();
 * }</pre>
 */
public final class ReplicateFrames
{
    private ReplicateFrames()
    {
    }

    /**
     * Writes the frame header and the REPLICATE header at {@code out}'s writer index and wraps {@code change} for
     * append after them. A refused length leaves the writer index where it was.
     *
     * @return {@code change}, wrapped for append; commit it to end the frame.
     * @throws IllegalArgumentException when a length does not fit its field.
     */
    public static ChangeFlyweight wrapForAppend(
        final ByteBuf out,
        final ChangeFlyweight change,
        final long requestId,
        final long sequence,
        final int originNode,
        final int keyLength,
        final int replicaCount)
    {
        final int frame = out.writerIndex();
        FrameHeader.writeRequest(out, ReplicateRequest.CHANGE_OFFSET + Change.length(keyLength, replicaCount),
            Opcodes.REPLICATE, (byte)0, requestId);
        out.writeLong(sequence);
        out.writeShort(originNode);
        out.writeShort(0);
        try
        {
            return change.wrapForAppend(out, keyLength, replicaCount);
        }
        catch (final IllegalArgumentException ex)
        {
            out.writerIndex(frame);
            throw ex;
        }
    }
}
