package io.metrodb.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The forces of a trace by file, to ask: had forces that returned before a given line covered these bytes?
 */
final class ForceLedger
{
    private final Map<String, List<TraceModel.Force>> byFile = new HashMap<>();

    ForceLedger(final List<TraceModel.Force> forces)
    {
        for (final TraceModel.Force force : forces)
        {
            byFile.computeIfAbsent(force.file(), file -> new ArrayList<>()).add(force);
        }
    }

    /**
     * @return true when forces of {@code file} that returned on a line before {@code line} cover {@code [from, to)}
     * between them.
     */
    boolean covered(final String file, final long from, final long to, final int line)
    {
        final List<long[]> ranges = new ArrayList<>();
        for (final TraceModel.Force force : byFile.getOrDefault(file, List.of()))
        {
            if (force.endLine() < line && force.from() < to && from < force.to())
            {
                ranges.add(new long[]{ force.from(), force.to() });
            }
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        long reached = from;
        for (final long[] range : ranges)
        {
            if (range[0] > reached)
            {
                break;
            }
            reached = Math.max(reached, range[1]);
        }
        return reached >= to;
    }

    /**
     * @return for a failure message: the forces of {@code file} around {@code line} (the last one before it and the
     * first one after it that touched {@code [from, to)}), or that there were none.
     */
    String near(final String file, final long from, final long to, final int line)
    {
        TraceModel.Force before = null;
        TraceModel.Force after = null;
        for (final TraceModel.Force force : byFile.getOrDefault(file, List.of()))
        {
            if (force.endLine() < line)
            {
                before = force;
            }
            else if (after == null && force.from() < to && from < force.to())
            {
                after = force;
            }
        }
        return "last force of the file before: " + describe(before) + "; first force of these bytes after: " +
            describe(after);
    }

    int files()
    {
        return byFile.size();
    }

    private static String describe(final TraceModel.Force force)
    {
        return force == null ? "none" : force.call() + " of bytes " + force.from() + ".." +
            (force.to() == Long.MAX_VALUE ? "end" : Long.toString(force.to())) + " returned at trace line " +
            (force.endLine() + 1);
    }
}
