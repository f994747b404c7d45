package io.metrodb.logd;

/**
 * The logd server's own counters, one per INFO line, in INFO's order (like Aeron's {@code SystemCounterDescriptor}).
 */
public enum LogdCounter
{
    SERVER_BAD_REQUESTS("server_bad_requests"),
    SERVER_APPEND_ERRORS("server_append_errors"),
    SERVER_READ_ERRORS("server_read_errors"),
    SERVER_HEARTBEATS("server_heartbeats");

    /** Type id of these counters in the counters file. */
    public static final int TYPE_ID = 1;

    private final String infoName;

    LogdCounter(final String infoName)
    {
        this.infoName = infoName;
    }

    /**
     * @return the counter's name in INFO and its label in the counters file.
     */
    public String infoName()
    {
        return infoName;
    }
}
