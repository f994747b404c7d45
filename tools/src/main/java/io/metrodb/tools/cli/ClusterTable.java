package io.metrodb.tools.cli;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.mond.ClusterView;
import io.netty.buffer.ByteBuf;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a CLUSTER_VIEW answer as a table: one row per node (id, role, address, state, since, last RTT, data),
 * then the replica-health totals.
 */
final class ClusterTable
{
    private static final String[] HEADER = {"ID", "ROLE", "ADDRESS", "STATE", "SINCE", "RTT_US", "DATA_BYTES"};

    private ClusterTable()
    {
    }

    /**
     * @param view the answer frame, at index 0, a well-formed view.
     * @return the table, without a final newline.
     */
    static String render(final ByteBuf view)
    {
        final long epoch = ClusterView.epoch(view, 0);
        if (epoch == 0)
        {
            return "(no cluster view yet: mond has pushed none to this mapd; is mond running?)";
        }
        final List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        int at = ClusterView.firstNodeIndex(0);
        for (int i = ClusterView.nodeCount(view, 0); i > 0; i--)
        {
            final long sinceMs = ClusterView.nodeSinceMs(view, at);
            rows.add(new String[] {
                Integer.toString(ClusterView.nodeId(view, at)),
                roleName(ClusterView.nodeRole(view, at)),
                ClusterView.nodeHost(view, at) + ":" + ClusterView.nodePort(view, at),
                stateName(ClusterView.nodeState(view, at)),
                sinceMs == 0 ? "-" : Instant.ofEpochMilli(sinceMs).toString(),
                Long.toString(ClusterView.nodeLastRttUs(view, at)),
                Long.toString(ClusterView.nodeDataBytes(view, at))});
            at = ClusterView.nextNodeIndex(view, at);
        }
        final StringBuilder out = new StringBuilder();
        appendRows(out, rows);
        out.append("epoch:").append(epoch)
            .append(" keys_checked:").append(ClusterView.keysChecked(view, 0))
            .append(" bad_replicas:").append(ClusterView.badReplicas(view, 0))
            .append(" repairs_done:").append(ClusterView.repairsDone(view, 0))
            .append(" repairs_pending:").append(ClusterView.repairsPending(view, 0));
        return out.toString();
    }

    private static void appendRows(final StringBuilder out, final List<String[]> rows)
    {
        final int[] widths = new int[HEADER.length];
        for (final String[] row : rows)
        {
            for (int c = 0; c < row.length; c++)
            {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (final String[] row : rows)
        {
            for (int c = 0; c < row.length; c++)
            {
                out.append(row[c]);
                if (c < row.length - 1)
                {
                    out.append(" ".repeat(widths[c] - row[c].length() + 2));
                }
            }
            out.append('\n');
        }
    }

    static String roleName(final byte role)
    {
        final String name = Roles.name(role);
        return name == null ? "role-" + role : name;
    }

    static String stateName(final int state)
    {
        switch (state)
        {
            case ClusterView.NODE_UP: return "UP";
            case ClusterView.NODE_SUSPECT: return "SUSPECT";
            case ClusterView.NODE_DOWN: return "DOWN";
            default: return "STATE-" + state;
        }
    }
}
