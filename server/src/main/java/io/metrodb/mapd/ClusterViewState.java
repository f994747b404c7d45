package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * The newest cluster view mond pushed to this mapd (CLUSTER_VIEW), and what it does to the logd pool: logds
 * the view says are DOWN are marked down, and GETs read replicas on UP logds first. Two monds may push, so
 * only a view with a higher epoch than the one held replaces it. Data-path thread only.
 */
final class ClusterViewState
{
    private final LogdPool logds;
    private ByteBuf view;
    private long epoch;
    private long applied;
    private long ignored;

    ClusterViewState(final LogdPool logds)
    {
        this.logds = logds;
    }

    /**
     * @return the epoch of the view held, 0 when none was pushed.
     */
    long epoch()
    {
        return epoch;
    }

    long applied()
    {
        return applied;
    }

    long ignored()
    {
        return ignored;
    }

    /**
     * Takes a pushed view (a valid CLUSTER_VIEW request with a view payload) if it is newer than the one held.
     *
     * @return true when it replaced the view held.
     */
    boolean offer(final ByteBuf frame, final int at)
    {
        final long offered = ClusterView.epoch(frame, at);
        if (Long.compareUnsigned(offered, epoch) <= 0)
        {
            ignored++;
            return false;
        }
        final ByteBuf copy = Unpooled.wrappedBuffer(
            ByteBufUtil.getBytes(frame, FrameHeader.payloadIndex(at), FrameHeader.payloadLength(frame, at)));
        if (view != null)
        {
            view.release();
        }
        view = copy;
        epoch = offered;
        applied++;

        logds.clearViewStates();
        int node = ClusterView.firstNodeIndex(at);
        for (int i = ClusterView.nodeCount(frame, at); i > 0; i--)
        {
            if (ClusterView.nodeRole(frame, node) == Roles.LOGD)
            {
                logds.applyViewState(ClusterView.nodeId(frame, node), ClusterView.nodeState(frame, node));
            }
            node = ClusterView.nextNodeIndex(frame, node);
        }
        return true;
    }

    /**
     * Answers a CLUSTER_VIEW query with the view held, or an empty view of epoch 0.
     */
    void writeView(final ByteBuf out, final long requestId)
    {
        if (view == null)
        {
            ClusterView.encodeViewHeader(out, requestId, true, 0, 0, 0, 0, 0, 0, 0);
            return;
        }
        FrameHeader.writeResponse(out, view.readableBytes(), Opcodes.CLUSTER_VIEW, StatusCodes.OK, requestId);
        out.writeBytes(view, view.readerIndex(), view.readableBytes());
    }

    /**
     * @return the length of the answer to a query.
     */
    int viewFrameLength()
    {
        return FrameHeader.HEADER_LENGTH + (view == null ? ClusterView.NODES_OFFSET : view.readableBytes());
    }
}
