package io.metrodb.testing;

import io.metrodb.server.EventLog;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures, in this JVM, the event lines ({@link EventLog}) and counts every log record at INFO or above from any
 * logger, while open: the daemons' log output as a test can read it. Close it to stop capturing.
 */
public final class EventLines implements AutoCloseable
{
    private final Logger events = Logger.getLogger(EventLog.LOGGER_NAME);
    private final Logger root = Logger.getLogger("");
    private final List<String> lines = new ArrayList<>();
    private final List<String> allLines = new ArrayList<>();
    private final Handler eventHandler = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            synchronized (lines)
            {
                lines.add(record.getLevel() + " " + record.getMessage());
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };
    private final Handler allHandler = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            if (record.getLevel().intValue() >= Level.INFO.intValue())
            {
                synchronized (allLines)
                {
                    allLines.add(record.getLevel() + " " + record.getLoggerName() + " " + record.getMessage());
                }
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    private EventLines()
    {
        events.addHandler(eventHandler);
        root.addHandler(allHandler);
    }

    /**
     * @return a capture, open until {@link #close()}.
     */
    public static EventLines capture()
    {
        return new EventLines();
    }

    /**
     * @return the event lines captured so far that contain every one of {@code parts}, as "LEVEL message".
     */
    public List<String> matching(final String... parts)
    {
        final List<String> found = new ArrayList<>();
        synchronized (lines)
        {
            for (final String line : lines)
            {
                boolean all = true;
                for (final String part : parts)
                {
                    all &= line.contains(part);
                }
                if (all)
                {
                    found.add(line);
                }
            }
        }
        return found;
    }

    /**
     * @return how many captured event lines contain every one of {@code parts}.
     */
    public int count(final String... parts)
    {
        return matching(parts).size();
    }

    /**
     * @return log records at INFO or above from any logger since the capture began (event lines included).
     */
    public int allRecords()
    {
        synchronized (allLines)
        {
            return allLines.size();
        }
    }

    /**
     * @return the records at INFO or above from any logger, from the {@code from}-th on, one per line, as "LEVEL
     * logger message".
     */
    public String allSince(final int from)
    {
        synchronized (allLines)
        {
            return String.join("\n", allLines.subList(Math.min(from, allLines.size()), allLines.size()));
        }
    }

    /**
     * @return every event line captured, one per line (for assertion messages).
     */
    public String dump()
    {
        synchronized (lines)
        {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close()
    {
        events.removeHandler(eventHandler);
        root.removeHandler(allHandler);
    }
}
