package io.metrodb.cli;

import java.util.logging.LogManager;

/**
 * The daemons' JUL log manager: as JUL's own, except that {@link #reset()} keeps the handlers. JUL's shutdown hook
 * resets the log manager, which closes every handler while the daemon's own shutdown hook is still stopping it:
 * the lines logged during a stop (the snapshot written at a clean stop, requests left in progress) were lost.
 * A daemon never reconfigures logging at run time, so nothing else calls reset. {@link Main} installs it
 * ({@code -Djava.util.logging.manager} overrides it).
 */
public final class DaemonLogManager extends LogManager
{
    @Override
    public void reset()
    {
        // Keep the handlers until the JVM is gone: see the class comment.
    }
}
