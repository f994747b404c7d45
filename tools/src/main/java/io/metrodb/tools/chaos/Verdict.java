package io.metrodb.tools.chaos;

import io.metrodb.tools.check.KeyReadings.Reading;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every mapd answered for every key of a run, judged against its {@link WriteLog}. For each key, with its writes
 * in order:
 * <ul>
 *   <li><b>unknown</b>: some mapd returns a value no write of the key made;</li>
 *   <li><b>lost SETSAFE</b>: a SETSAFE of the key was acknowledged and some mapd returns nothing, an error, or the
 *       value of a write made before the last acknowledged SETSAFE (a later write, acknowledged or not, may have
 *       replaced it);</li>
 *   <li><b>lost SET</b>: the same for the last acknowledged write when it is a SET (reported: the design promises
 *       survival of SETSAFE only);</li>
 *   <li><b>divergent</b>: the mapds do not all return the same (an error counts as an answer of its own);</li>
 *   <li><b>unreadable</b>: answers that were errors, over all mapds.</li>
 * </ul>
 * A write that failed may or may not have been applied: its value may be read, or an earlier one.
 */
final class Verdict
{
    /** Problem lines kept for the report. */
    static final int EXAMPLES = 10;

    /**
     * @param keys       keys judged.
     * @param lostSafe   keys whose last acknowledged SETSAFE some mapd does not return (nor a later write).
     * @param lostSet    keys whose last acknowledged write is a SET some mapd does not return (nor a later write).
     * @param divergent  keys the mapds do not all answer alike.
     * @param unknown    keys some mapd returns a value for that no write of the key made.
     * @param unreadable answers that were errors, over all mapds.
     * @param examples   up to {@link #EXAMPLES} problem lines, each naming the key and every mapd's answer.
     */
    record Result(int keys, int lostSafe, int lostSet, int divergent, int unknown, int unreadable,
        List<String> examples)
    {
        /**
         * @return what fails a run: no SETSAFE lost, nothing divergent or unknown, every answer readable.
         */
        boolean safe()
        {
            return lostSafe == 0 && divergent == 0 && unknown == 0 && unreadable == 0;
        }
    }

    private Verdict()
    {
    }

    /**
     * @param log      what was written.
     * @param keys     the keys to judge.
     * @param names    the mapds, in the order of {@code readings}.
     * @param readings per mapd, its answer for each key (a key missing from a map counts as an error: not read).
     * @return the verdict, and in {@code problemKeys} (when not null) the keys with a problem.
     */
    static Result of(final WriteLog log, final List<String> keys, final List<String> names,
        final List<Map<String, Reading>> readings, final List<String> problemKeys)
    {
        if (names.size() != readings.size() || names.isEmpty())
        {
            throw new IllegalArgumentException(names.size() + " names for " + readings.size() + " mapds' readings");
        }
        final List<String> examples = new ArrayList<>();
        int lostSafe = 0;
        int lostSet = 0;
        int divergent = 0;
        int unknown = 0;
        int unreadable = 0;
        final Reading[] row = new Reading[readings.size()];
        final int[] index = new int[row.length];
        for (final String key : keys)
        {
            final List<WriteLog.Write> writes = log.writes(key);
            int lastSafe = -1;
            int lastAcked = -1;
            for (int w = 0; w < writes.size(); w++)
            {
                if (writes.get(w).acked())
                {
                    lastAcked = w;
                    if (writes.get(w).safe())
                    {
                        lastSafe = w;
                    }
                }
            }
            boolean alike = true;
            boolean errors = false;
            boolean unknownValue = false;
            int oldest = Integer.MAX_VALUE;
            for (int m = 0; m < row.length; m++)
            {
                final Reading reading = readings.get(m).get(key);
                row[m] = reading == null ? Reading.failed("not read") : reading;
                alike &= row[m].equals(row[0]);
                if (row[m].error() != null)
                {
                    unreadable++;
                    errors = true;
                    index[m] = -1;
                }
                else if (row[m].value() == null)
                {
                    index[m] = -1;
                }
                else
                {
                    index[m] = indexOf(writes, row[m].value());
                    unknownValue |= index[m] < 0;
                }
                oldest = Math.min(oldest, index[m]);
            }
            final List<String> problems = new ArrayList<>();
            if (unknownValue)
            {
                unknown++;
                problems.add("a value no write of the key made");
            }
            if (lastSafe >= 0 && (errors || oldest < lastSafe))
            {
                lostSafe++;
                problems.add("lost acknowledged SETSAFE '" + writes.get(lastSafe).value() + "'");
            }
            else if (lastAcked >= 0 && !errors && oldest < lastAcked)
            {
                lostSet++;
                problems.add("lost acknowledged SET '" + writes.get(lastAcked).value() + "'");
            }
            if (!alike)
            {
                divergent++;
                problems.add("mapds disagree");
            }
            if (!problems.isEmpty())
            {
                if (problemKeys != null)
                {
                    problemKeys.add(key);
                }
                if (examples.size() < EXAMPLES)
                {
                    examples.add(describe(key, problems, names, row));
                }
            }
        }
        return new Result(keys.size(), lostSafe, lostSet, divergent, unknown, unreadable, List.copyOf(examples));
    }

    private static int indexOf(final List<WriteLog.Write> writes, final String value)
    {
        for (int w = writes.size() - 1; w >= 0; w--)
        {
            if (writes.get(w).value().equals(value))
            {
                return w;
            }
        }
        return -1;
    }

    private static String describe(final String key, final List<String> problems, final List<String> names,
        final Reading[] row)
    {
        final StringBuilder line = new StringBuilder(key).append(": ").append(String.join(", ", problems))
            .append(';');
        for (int m = 0; m < row.length; m++)
        {
            line.append(' ').append(names.get(m)).append('=').append(row[m]);
        }
        return line.toString();
    }
}
