package io.metrodb.mapd;

/**
 * The mapd's counters, one per INFO line, in INFO's order (like Aeron's {@code SystemCounterDescriptor}).
 */
public enum MapdCounter
{
    GETS("gets"),
    GETS_NOT_FOUND("gets_not_found"),
    SETS("sets"),
    SETSAFES("setsafes"),
    DELS("dels"),
    EXISTS("exists"),
    WRITES_FAILED("writes_failed"),
    NOT_ENOUGH_REPLICAS("not_enough_replicas"),
    APPEND_RETRIES("append_retries"),
    /** Writes that found fewer than RF connected logds and waited for one (each counted once). */
    WRITES_WAITED_FOR_LOGDS("writes_waited_for_logds"),
    REPLICA_READ_FAILURES("replica_read_failures"),
    BAD_REPLICAS("bad_replicas"),
    READS_UNREADABLE("reads_unreadable"),
    BAD_REQUESTS("bad_requests"),
    JOURNAL_ERRORS("journal_errors"),
    /** Durable writes whose record a logd took (offset first) but then failed to force. */
    FORCE_FAILURES("force_failures"),
    /** Durable writes' records forced on another logd after the logd that took them failed to force them. */
    FORCE_REAPPENDS("force_reappends"),
    HEARTBEATS("heartbeats"),
    PROBES("probes"),
    PROBES_REFUSED("probes_refused"),
    PROBE_KEYS_CHECKED("probe_keys_checked"),
    PROBE_BAD_REPLICAS("probe_bad_replicas"),
    REPAIRS("repairs"),
    REPAIRS_DONE("repairs_done"),
    REPAIRS_PARTIAL("repairs_partial"),
    REPAIRS_NOOP("repairs_noop"),
    REPAIRS_STALE("repairs_stale"),
    REPAIRS_FAILED("repairs_failed"),
    REPAIRS_REFUSED("repairs_refused"),
    REPAIR_COPIES("repair_copies"),
    REFUSED_STOPPING("refused_stopping"),
    SYNCS_FAILED("syncs_failed"),
    LOCAL_READS_SERVED("local_reads_served"),
    LOCAL_READ_FALLBACKS("local_read_fallbacks"),
    LOCAL_READ_FALLBACKS_MISSING("local_read_fallbacks_missing"),
    LOCAL_READ_FALLBACKS_SHORT("local_read_fallbacks_short"),
    LOCAL_READ_FALLBACKS_BAD_RECORD("local_read_fallbacks_bad_record"),
    LOCAL_READ_FALLBACKS_MISMATCH("local_read_fallbacks_mismatch"),
    LOCAL_READ_FALLBACKS_IO_ERROR("local_read_fallbacks_io_error"),
    LOCAL_READS_TOO_LARGE("local_reads_too_large"),
    CONNECTIONS_OPEN("connections_open"),
    CONNECTIONS_REFUSED("connections_refused"),
    HANDSHAKE_TIMEOUTS("handshake_timeouts"),
    FRAME_TIMEOUTS("frame_timeouts"),
    FRAME_BUDGET_REFUSALS("frame_budget_refusals"),
    READ_PAUSES("read_pauses");

    /** Type id of these counters in the counters file. */
    public static final int TYPE_ID = 2;

    private final String infoName;

    MapdCounter(final String infoName)
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
