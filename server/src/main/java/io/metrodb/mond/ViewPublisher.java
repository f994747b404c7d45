package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.mond.ClusterView;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.TimeUnit;

/**
 * The cluster view mond serves and pushes: every node's state, numbered by an epoch.
 * <p>
 * Epoch rule: every change of the view takes {@code max(epoch + 1, now in ms since the Unix epoch, highest
 * epoch heard from any mapd + 1)}. The first view's epoch is mond's start time in ms, so a restarted mond
 * starts above every epoch its predecessor published (unless the clock went back, which the "heard + 1" term
 * covers once mond has heard the mapds), and mapds, which keep the view with the highest epoch, take it.
 */
final class ViewPublisher
{
    private final MonitoredNode[] nodes;
    private final MondCounters counters;
    private final RepairQueue repairs;
    private final long startNs;
    private final long startWallMs;
    private long epoch;
    private long highestHeard;

    /**
     * @param nodes       every watched node, in view order.
     * @param startNs     mond's start (monotonic ns), paired with {@code startWallMs} to turn times into
     *                    wall-clock ms.
     * @param startWallMs the wall clock at {@code startNs}.
     */
    ViewPublisher(
        final MonitoredNode[] nodes,
        final MondCounters counters,
        final RepairQueue repairs,
        final long startNs,
        final long startWallMs)
    {
        this.nodes = nodes;
        this.counters = counters;
        this.repairs = repairs;
        this.startNs = startNs;
        this.startWallMs = startWallMs;
        this.epoch = Math.max(1, startWallMs);
    }

    long epoch()
    {
        return epoch;
    }

    /**
     * A mapd reported the epoch of the view it holds (perhaps another mond's).
     */
    void heard(final long reportedEpoch)
    {
        highestHeard = Math.max(highestHeard, reportedEpoch);
    }

    /**
     * The view changed: a new epoch.
     */
    void bump(final long nowNs)
    {
        epoch = Math.max(Math.max(epoch + 1, wallMs(nowNs)), highestHeard + 1);
        counters.viewChanges.incrementRelease();
    }

    /**
     * Before the first push: never publish below what a mapd already holds.
     */
    void catchUpWithHeard()
    {
        if (highestHeard >= epoch)
        {
            epoch = highestHeard + 1;
        }
    }

    /**
     * @return wall-clock ms at monotonic time {@code nanoTime}.
     */
    long wallMs(final long nanoTime)
    {
        return startWallMs + TimeUnit.NANOSECONDS.toMillis(nanoTime - startNs);
    }

    /**
     * @return the length of the whole frame {@link #encode} writes.
     */
    int frameLength()
    {
        return FrameHeader.HEADER_LENGTH + ClusterView.NODES_OFFSET + nodesLength();
    }

    private int nodesLength()
    {
        int length = 0;
        for (final MonitoredNode node : nodes)
        {
            length += ClusterView.nodeLength(node.host.length());
        }
        return length;
    }

    /**
     * Writes the view: a query's answer ({@code isResponse}) or a push to a mapd.
     */
    void encode(final ByteBuf out, final long requestId, final boolean isResponse)
    {
        ClusterView.encodeViewHeader(out, requestId, isResponse, epoch, nodes.length, counters.keysChecked.get(),
            counters.badReplicasFound.get(), counters.repairsDone.get(), repairs.size(), nodesLength());
        for (final MonitoredNode node : nodes)
        {
            ClusterView.writeNode(out, node.nodeId, node.role, node.health.state(), node.port,
                wallMs(node.health.sinceNs()), Math.min(0xFFFF_FFFFL, node.lastRttUs), node.dataBytes, node.host);
        }
    }
}
