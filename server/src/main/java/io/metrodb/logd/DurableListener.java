package io.metrodb.logd;

/**
 * Told, on the sync thread, that a durable append reached the disk or never will.
 * <p>
 * Runs on the sync thread between forces: hand off (e.g. {@code channel.writeAndFlush}) and return quickly.
 */
@FunctionalInterface
public interface DurableListener
{
    /**
     * @param requestId the caller's correlation id, as given to {@code appendDurable}.
     * @param context   the caller's object, as given to {@code appendDurable} (e.g. the channel to reply on).
     * @param offset    the record's offset, as returned by {@code appendDurable}.
     * @param status    {@link LogResult#OK} once forced, else {@link LogResult#IO_ERROR} or {@link LogResult#CLOSED}.
     */
    void onDurable(long requestId, Object context, long offset, int status);
}
