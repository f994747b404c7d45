package io.metrodb.log;

/**
 * Told, on the sync thread, that a durable append reached the disk or never will.
 * <p>
 * Runs on the sync thread between forces: queue the answer and return quickly; {@link #onBatchEnd()} follows the
 * last answer of a run, the place to hand a batch to another thread (see {@code io.metrodb.logd.DurableReplier}).
 */
public interface DurableListener
{
    /**
     * @param requestId the caller's correlation id, as given to {@code appendDurable}.
     * @param context   the caller's object, as given to {@code appendDurable} (e.g. the channel to reply on).
     * @param offset    the record's offset, as returned by {@code appendDurable}.
     * @param status    {@link LogResult#OK} once forced, else {@link LogResult#IO_ERROR} or {@link LogResult#CLOSED}.
     */
    void onDurable(long requestId, Object context, long offset, int status);

    /**
     * Called on the sync thread after the last of a run of consecutive {@link #onDurable} calls to this listener
     * for one force, e.g. to hand a batch of answers over at once. Nothing to do by default.
     */
    default void onBatchEnd()
    {
    }
}
