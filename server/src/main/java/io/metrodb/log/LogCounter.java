package io.metrodb.log;

/**
 * The log engine's counters and gauges (like Aeron's {@code SystemCounterDescriptor}): the first ones are INFO's
 * lines in INFO's order; the force latency gauges after them are only in the counters file.
 */
public enum LogCounter
{
    TAIL_POSITION("tail_position", true),
    DURABLE_POSITION("durable_position", true),
    SEGMENT_COUNT("segment_count", true),
    SEGMENT_FILES("segment_files", true),
    BYTES_ON_DISK("bytes_on_disk", true),
    APPENDS("appends", true),
    APPEND_ERRORS("append_errors", true),
    READS("reads", true),
    READ_ERRORS("read_errors", true),
    CORRUPT_READS("corrupt_reads", true),
    FORCES("forces", true),
    FORCED_BYTES("forced_bytes", true),
    FORCE_NS("force_ns", true),
    WRITE_BEHINDS("write_behinds", true),
    WRITE_BEHIND_BYTES("write_behind_bytes", true),
    WRITE_BEHIND_NS("write_behind_ns", true),
    ACKNOWLEDGE_NS("acknowledge_ns", true),
    GROUP_WAITS("group_waits", true),
    DURABLE_ACKS("durable_acks", true),
    GROUP_COMMITS("group_commits", true),
    MAX_GROUP_COMMIT_SIZE("max_group_commit_size", true),
    CHECKPOINTS("checkpoints", true),
    SYNC_CYCLES("sync_cycles", true),
    SYNC_SLEEPS("sync_sleeps", true),
    SYNC_NAPS("sync_naps", true),
    IO_ERRORS("io_errors", true),
    LISTENER_ERRORS("listener_errors", true),
    ROLLOVERS("rollovers", true),
    ROLLOVER_WAIT_NS("rollover_wait_ns", true),
    PREFILLS_CUT("prefills_cut", true),
    ALLOCATION_FAILURES("allocation_failures", true),
    FORCE_P50_NS("force_p50_ns", false),
    FORCE_P99_NS("force_p99_ns", false),
    FORCE_MAX_NS("force_max_ns", false),
    FORCE_COUNT("force_count", false);

    /** Type id of these counters in a counters file. */
    public static final int TYPE_ID = 4;

    private final String infoName;
    private final boolean inInfo;

    LogCounter(final String infoName, final boolean inInfo)
    {
        this.infoName = infoName;
        this.inInfo = inInfo;
    }

    /**
     * @return the name in INFO (the mapd puts {@code journal_} before it) and the label in the counters file.
     */
    public String infoName()
    {
        return infoName;
    }

    /**
     * @return true when INFO shows it.
     */
    public boolean inInfo()
    {
        return inInfo;
    }
}
