package io.metrodb.tools.check;

import io.metrodb.tools.check.KeyReadings.Reading;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every mapd answered for every key the check wrote, judged against the {@link WriteLedger}:
 * <ul>
 *   <li><b>lost</b>: an acknowledged write (SETSAFE or SET, counted apart) that some mapd does not return: it
 *       answers another value, none, or an error;</li>
 *   <li><b>divergent</b>: a key the mapds do not all answer alike (an error counts as an answer of its own), or
 *       one holding a value no write of this run made.</li>
 * </ul>
 * A write that failed (timeout, lost connection) may or may not have been applied: its key may be absent or hold the
 * value, but the same on every mapd. A shared key may hold any value written to it, the same on every mapd.
 */
final class Audit
{
    /** Problem lines kept for the report. */
    static final int EXAMPLES = 10;

    /**
     * @param keys          keys read.
     * @param lostSafe      acknowledged SETSAFEs some mapd does not return.
     * @param lostSet       acknowledged SETs some mapd does not return.
     * @param divergent     keys the mapds disagree on, or holding a value never written.
     * @param readErrors    answers that were errors, over all mapds.
     * @param examples      up to {@link #EXAMPLES} problem lines, each naming the key and every mapd's answer.
     */
    record Result(int keys, int lostSafe, int lostSet, int divergent, int readErrors, List<String> examples)
    {
        int lost()
        {
            return lostSafe + lostSet;
        }

        /**
         * @return nothing lost, nothing divergent, every mapd answered every key.
         */
        boolean clean()
        {
            return lostSafe == 0 && lostSet == 0 && divergent == 0 && readErrors == 0;
        }
    }

    private Audit()
    {
    }

    /**
     * @param ledger   what was written.
     * @param names    the mapds, in the order of {@code readings}.
     * @param readings per mapd, its answer for each key of {@link WriteLedger#keys()} (a key missing from a map
     *                 counts as an error: it was not read).
     * @return the verdict.
     */
    static Result of(final WriteLedger ledger, final List<String> names, final List<Map<String, Reading>> readings)
    {
        if (names.size() != readings.size() || names.isEmpty())
        {
            throw new IllegalArgumentException(names.size() + " names for " + readings.size() + " mapds' readings");
        }
        final List<String> keys = ledger.keys();
        final List<String> examples = new ArrayList<>();
        int lostSafe = 0;
        int lostSet = 0;
        int divergent = 0;
        int readErrors = 0;
        final Reading[] row = new Reading[readings.size()];
        for (final String key : keys)
        {
            boolean alike = true;
            for (int m = 0; m < row.length; m++)
            {
                final Reading reading = readings.get(m).get(key);
                row[m] = reading == null ? Reading.failed("not read") : reading;
                if (row[m].error() != null)
                {
                    readErrors++;
                }
                alike &= row[m].equals(row[0]);
            }
            final WriteLedger.Write write = ledger.freshWrite(key);
            String problem = null;
            if (write != null && write.acked() && !allHold(row, write.value()))
            {
                problem = "lost acknowledged " + (write.safe() ? "SETSAFE" : "SET") + " '" + write.value() + "'";
                if (write.safe())
                {
                    lostSafe++;
                }
                else
                {
                    lostSet++;
                }
            }
            else if (!alike || !written(ledger, write, key, row))
            {
                problem = !alike ? "mapds disagree" : "holds a value never written";
                divergent++;
            }
            if (problem != null && examples.size() < EXAMPLES)
            {
                examples.add(describe(key, problem, names, row));
            }
        }
        return new Result(keys.size(), lostSafe, lostSet, divergent, readErrors, List.copyOf(examples));
    }

    private static boolean allHold(final Reading[] row, final String value)
    {
        for (final Reading reading : row)
        {
            if (reading.error() != null || !value.equals(reading.value()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return whether the (alike) answers hold nothing or a value written to the key.
     */
    private static boolean written(final WriteLedger ledger, final WriteLedger.Write write, final String key,
        final Reading[] row)
    {
        final String value = row[0].value();
        if (row[0].error() != null || value == null)
        {
            return true;
        }
        return write != null ? value.equals(write.value()) : ledger.hotValues(key).contains(value);
    }

    private static String describe(final String key, final String problem, final List<String> names,
        final Reading[] row)
    {
        final StringBuilder line = new StringBuilder(key).append(": ").append(problem).append(';');
        for (int m = 0; m < row.length; m++)
        {
            line.append(' ').append(names.get(m)).append('=').append(row[m]);
        }
        return line.toString();
    }
}
