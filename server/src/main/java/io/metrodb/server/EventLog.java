package io.metrodb.server;

/**
 * Operator event lines: one line per event an operator needs to see (a link lost and regained, a peer catch-up,
 * a snapshot written, a journal replayed, a torn tail truncated, a full disk, a corrupt replica, a repair), never
 * one per request. They go through the daemons' one logging mechanism, {@link System.Logger}, under the logger
 * {@value #LOGGER_NAME} (the {@code io.metrodb.log} package, which may not depend on this one, logs its events
 * under the same name), so a test or a JUL configuration can pick them out. {@code Main} gives JUL a one-line
 * format. docs/OPERATIONS.md lists the lines.
 */
public final class EventLog
{
    /** The logger every event line goes to. */
    public static final String LOGGER_NAME = "io.metrodb.event";

    private static final System.Logger LOG = System.getLogger(LOGGER_NAME);

    private EventLog()
    {
    }

    /**
     * Logs an event that needs no action (a reconnect, a catch-up, a snapshot).
     */
    public static void info(final String line)
    {
        LOG.log(System.Logger.Level.INFO, line);
    }

    /**
     * Logs an event an operator may have to act on (a link down, a full disk, a corrupt replica).
     */
    public static void warn(final String line)
    {
        LOG.log(System.Logger.Level.WARNING, line);
    }

    /**
     * @return {@code nanos} as seconds with one decimal, for "after 3.2 s".
     */
    public static String seconds(final long nanos)
    {
        final long tenths = nanos / 100_000_000L;
        return (tenths / 10) + "." + (tenths % 10) + " s";
    }
}
