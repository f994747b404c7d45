package io.metrodb.mapd.grid;

import org.agrona.DirectBuffer;

/**
 * Receives the entries of a {@link KeyGrid#forEach(long, int, GridEntry, GridVisitor)} walk.
 */
@FunctionalInterface
public interface GridVisitor
{
    /**
     * One entry. Both the key view and the holder are reused for the next entry: copy what must outlive the call.
     *
     * @param keyBuffer read-only view of the key arena chunk that holds the key.
     * @param keyIndex  index of the key's first byte in {@code keyBuffer}.
     * @param keyLength key length in bytes.
     * @param entry     the entry's fields, read consistently; {@link GridEntry#entryIndex()} is its position.
     */
    void onEntry(DirectBuffer keyBuffer, int keyIndex, int keyLength, GridEntry entry);
}
