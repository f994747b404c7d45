package io.metrodb.mond;

/**
 * mond's counters, one per INFO line, in INFO's order (like Aeron's {@code SystemCounterDescriptor}).
 */
public enum MondCounter
{
    HEARTBEATS_SENT("heartbeats_sent"),
    HEARTBEATS_ANSWERED("heartbeats_answered"),
    BAD_ANSWERS("bad_answers"),
    VIEW_CHANGES("view_changes"),
    VIEWS_PUSHED("views_pushed"),
    PROBES_SENT("probes_sent"),
    PROBES_FAILED("probes_failed"),
    PROBES_REFUSED("probes_refused"),
    KEYS_CHECKED("keys_checked"),
    BAD_REPLICAS_FOUND("bad_replicas_found"),
    REPLICAS_UNCHECKED("replicas_unchecked"),
    SCRUB_PASSES("scrub_passes"),
    SCRUB_RESTS("scrub_rests"),
    SWEEPS_STARTED("sweeps_started"),
    SWEEPS_COMPLETED("sweeps_completed"),
    REPAIRS_SENT("repairs_sent"),
    REPAIRS_DONE("repairs_done"),
    REPAIRS_STALE("repairs_stale"),
    REPAIRS_FAILED("repairs_failed"),
    DUTY_CYCLES("duty_cycles"),
    CONNECTIONS_OPEN("connections_open"),
    CONNECTIONS_REFUSED("connections_refused"),
    HANDSHAKE_TIMEOUTS("handshake_timeouts"),
    FRAME_TIMEOUTS("frame_timeouts"),
    FRAME_BUDGET_REFUSALS("frame_budget_refusals"),
    READ_PAUSES("read_pauses");

    /** Type id of these counters in the counters file. */
    public static final int TYPE_ID = 3;

    private final String infoName;

    MondCounter(final String infoName)
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
