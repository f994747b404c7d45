package io.metrodb.bench.load;

import java.util.Locale;

/**
 * The operations a workload mixes. SETSAFE is MetroDB's durable SET; against Redis it is sent as a SET.
 */
public enum Op
{
    GET, SET, SETSAFE, DEL;

    /** Every operation, by ordinal, without the copy {@link #values()} makes. */
    static final Op[] ALL = values();

    /**
     * @return the name in lower case, as the command line, the JSON and the file names spell it.
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
