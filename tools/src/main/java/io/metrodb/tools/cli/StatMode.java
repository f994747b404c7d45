package io.metrodb.tools.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --stat}, like redis-cli's: a line per interval with the mapd's live keys and its request counters
 * from INFO, each as {@code total (+delta since the line before)}, until Ctrl-C or {@code --count} lines.
 */
final class StatMode
{
    /** INFO counters shown after {@code keys}, in order. */
    static final String[] COUNTERS = {"gets", "sets", "setsafes", "dels", "exists", "writes_failed"};
    private static final int HEADER_EVERY = 20;
    private static final String FORMAT = "%-10s" + " %-15s".repeat(COUNTERS.length);

    /** Reads the mapd's INFO text. */
    interface InfoSource
    {
        String info() throws Exception;
    }

    private Map<String, Long> previous;

    /**
     * @param source     the mapd's INFO.
     * @param count      lines to print, 0 for no end.
     * @param intervalMs time between lines.
     * @param out        where the lines go.
     * @throws Exception an INFO failure, which ends the run.
     */
    void run(final InfoSource source, final long count, final long intervalMs, final PrintStream out) throws Exception
    {
        for (long line = 0; count == 0 || line < count; line++)
        {
            if (line > 0)
            {
                Thread.sleep(intervalMs);
            }
            if (line % HEADER_EVERY == 0)
            {
                out.println(header());
            }
            out.println(row(parse(source.info())));
            out.flush();
        }
    }

    static String header()
    {
        final Object[] names = new Object[COUNTERS.length + 1];
        names[0] = "keys";
        System.arraycopy(COUNTERS, 0, names, 1, COUNTERS.length);
        return String.format(Locale.ROOT, FORMAT, names).stripTrailing();
    }

    /**
     * @return the row for these counters, with deltas against the previous row's (+0 on the first).
     */
    String row(final Map<String, Long> counters)
    {
        final Object[] cells = new Object[COUNTERS.length + 1];
        cells[0] = Long.toString(counters.getOrDefault("keys", 0L));
        for (int i = 0; i < COUNTERS.length; i++)
        {
            final long value = counters.getOrDefault(COUNTERS[i], 0L);
            final long before = previous == null ? value : previous.getOrDefault(COUNTERS[i], 0L);
            cells[i + 1] = value + " (+" + (value - before) + ")";
        }
        previous = counters;
        return String.format(Locale.ROOT, FORMAT, cells).stripTrailing();
    }

    /**
     * @return the numeric {@code name:value} lines of an INFO text.
     */
    static Map<String, Long> parse(final String info)
    {
        final Map<String, Long> values = new HashMap<>();
        for (final String line : info.split("\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0)
            {
                try
                {
                    values.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1).trim()));
                }
                catch (final NumberFormatException notANumber)
                {
                    // a text value (role:mapd): not a counter
                }
            }
        }
        return values;
    }
}
