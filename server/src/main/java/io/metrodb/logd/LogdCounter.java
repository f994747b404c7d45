package io.metrodb.logd;

/**
 * The logd server's own counters, one per INFO line, in INFO's order (like Aeron's {@code SystemCounterDescriptor}).
 */
public enum LogdCounter
{
    SERVER_BAD_REQUESTS("server_bad_requests"),
    SERVER_APPEND_ERRORS("server_append_errors"),
    SERVER_READ_ERRORS("server_read_errors"),
    SERVER_HEARTBEATS("server_heartbeats"),
    SERVER_CONNECTIONS_OPEN("server_connections_open"),
    SERVER_CONNECTIONS_REFUSED("server_connections_refused"),
    SERVER_HANDSHAKE_TIMEOUTS("server_handshake_timeouts"),
    SERVER_FRAME_TIMEOUTS("server_frame_timeouts"),
    SERVER_FRAME_BUDGET_REFUSALS("server_frame_budget_refusals"),
    SERVER_READ_PAUSES("server_read_pauses");

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
