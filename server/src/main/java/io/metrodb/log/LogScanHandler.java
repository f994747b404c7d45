package io.metrodb.log;

import org.agrona.DirectBuffer;

/**
 * Visits records in log order during {@link LogStore#scan}.
 */
@FunctionalInterface
public interface LogScanHandler
{
    /**
     * @param offset  the record's offset.
     * @param buffer  segment buffer holding the payload; valid until the store is closed.
     * @param index   index of the payload in {@code buffer}.
     * @param length  payload length.
     * @return true to continue, false to stop after this record.
     */
    boolean onRecord(long offset, DirectBuffer buffer, int index, int length);

    /**
     * The scan stopped at an invalid record below the published tail.
     *
     * @param offset    where the invalid record is.
     * @param errorCode {@link LogResult#CORRUPT} or {@link LogResult#NOT_A_RECORD}.
     */
    default void onInvalid(final long offset, final int errorCode)
    {
    }
}
