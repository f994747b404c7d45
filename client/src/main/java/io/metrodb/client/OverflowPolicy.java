package io.metrodb.client;

/**
 * What a call does when the client already has its maximum number of requests in flight.
 */
public enum OverflowPolicy
{
    /** Fail at once with {@link MetroOverloadedException}; nothing is sent. */
    FAIL_FAST,
    /**
     * Block the calling thread until a request completes. A call made on the client's own I/O thread (inside a
     * future's callback) never blocks: it fails fast instead, since waiting there would deadlock.
     */
    WAIT
}
