package io.metrodb.bench.load;

/**
 * One slot of a connection's in-flight window: the request it carries now (operation, key, intended start) and
 * the listener told its outcome. Slots are made once per connection and reused, so a steady run allocates none;
 * a {@link TargetConnection} tells exactly one of {@link #succeeded()}, {@link #missed()} or {@link #failed(String)}
 * per request, on the connection's lane thread.
 */
public final class Request
{
    /** The outcome of a request: a value read or a write applied. */
    public static final int OK = 0;
    /** The outcome of a GET or DEL that found no value (not an error). */
    public static final int MISS = 1;
    /** The outcome of a request that failed. */
    public static final int ERROR = 2;

    final RequestListener listener;
    /** The key, rewritten in place for each request (a target must not keep it past the outcome). */
    final byte[] key = new byte[Keys.LENGTH];
    Op op;
    long keyIndex;
    /** When the request was meant to start (open loop: its slot in the schedule; closed loop: when it was sent). */
    long intendedNs;
    /** A target's own per-slot state, e.g. a reply handler bound to this slot; set by the target once. */
    Object attachment;
    /** The last failure's description, kept for the report. */
    String error;

    Request(final RequestListener listener)
    {
        this.listener = listener;
    }

    /**
     * A GET read a value, or a write was applied, or a DEL deleted a value.
     */
    public void succeeded()
    {
        listener.completed(this, OK);
    }

    /**
     * A GET or DEL found no value for its key.
     */
    public void missed()
    {
        listener.completed(this, MISS);
    }

    /**
     * The request failed.
     *
     * @param description what happened, for the report.
     */
    public void failed(final String description)
    {
        error = description;
        listener.completed(this, ERROR);
    }

    /**
     * @return the key bytes (valid until the outcome is told).
     */
    public byte[] key()
    {
        return key;
    }
}
