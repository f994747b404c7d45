package io.metrodb.mapd;

/**
 * Where in the journal each of the last N changes this mapd originated sits, so a peer asking for "origin
 * me from number S" can be streamed what it missed, as long as S is at most N changes old (else it gets a
 * full snapshot, as Redis PSYNC does). A ring of journal positions indexed by sequence; data-path thread only.
 */
final class Backlog
{
    private final long[] positions;
    private final int mask;
    private long newest;
    private long firstHeld = 1;
    private boolean empty = true;

    /**
     * @param capacity changes remembered, a power of two.
     */
    Backlog(final int capacity)
    {
        if (capacity < 1 || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("backlog capacity must be a power of two, was " + capacity);
        }
        positions = new long[capacity];
        mask = capacity - 1;
    }

    /**
     * Records where change {@code sequence} (the next one, in order) was journaled.
     */
    void record(final long sequence, final long journalPosition)
    {
        if (empty)
        {
            firstHeld = sequence;
            empty = false;
        }
        positions[(int)(sequence & mask)] = journalPosition;
        newest = Math.max(newest, sequence);
    }

    /**
     * After recovery: changes up to {@code ownSequence} not recorded (in a snapshot, not the journal tail) are
     * not in the backlog.
     */
    void recovered(final long ownSequence)
    {
        if (empty)
        {
            firstHeld = ownSequence + 1;
            newest = ownSequence;
        }
    }

    /**
     * @return the oldest sequence still held (newest + 1 when empty).
     */
    long oldest()
    {
        return Math.max(firstHeld, newest - positions.length + 1);
    }

    long newest()
    {
        return newest;
    }

    /**
     * @param sequence a sequence in [{@link #oldest()}, {@link #newest()}].
     * @return the journal position of that change.
     */
    long position(final long sequence)
    {
        return positions[(int)(sequence & mask)];
    }

    /**
     * @return true when every change from {@code sequence} on can be served from the backlog.
     */
    boolean covers(final long sequence)
    {
        return sequence >= oldest() && sequence <= newest + 1;
    }

    int capacity()
    {
        return positions.length;
    }
}
