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
     * @return a key for an event line: printable ASCII as is, other bytes as {@code \xNN}, at most 64 bytes shown.
     */
    public static String key(final byte[] key)
    {
        final StringBuilder text = new StringBuilder(Math.min(key.length, 64) + 16);
        for (int i = 0; i < key.length && i < 64; i++)
        {
            final int b = key[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\\')
            {
                text.append((char)b);
            }
            else
            {
                text.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        if (key.length > 64)
        {
            text.append("... (").append(key.length).append(" B)");
        }
        return text.toString();
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
