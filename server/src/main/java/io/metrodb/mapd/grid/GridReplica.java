package io.metrodb.mapd.grid;

/**
 * Packs a replica location, a logd id (u16) and an offset in that logd (u48), into one {@code long}.
 * <pre>
 *   63            48 47                                            0
 *  +----------------+-----------------------------------------------+
 *  |  logdId (u16)  |                 offset (u48)                  |
 *  +----------------+-----------------------------------------------+
 * </pre>
 */
public final class GridReplica
{
    /** Offsets must stay below 2^48 (256 TiB per logd) to share the word with the logd id. */
    public static final long MAX_OFFSET = (1L << 48) - 1;
    public static final int MAX_LOGD_ID = 0xFFFF;

    private static final int LOGD_ID_SHIFT = 48;

    private GridReplica()
    {
    }

    /**
     * Packs a replica location.
     *
     * @param logdId logd id, 0..65535.
     * @param offset offset of the record in that logd, 0..2^48-1.
     * @return the packed location.
     */
    public static long pack(final int logdId, final long offset)
    {
        if (logdId < 0 || logdId > MAX_LOGD_ID)
        {
            throw new IllegalArgumentException("logdId out of range 0.." + MAX_LOGD_ID + ": " + logdId);
        }
        if (offset < 0 || offset > MAX_OFFSET)
        {
            throw new IllegalArgumentException("offset out of range 0..2^48-1: " + offset);
        }

        return ((long)logdId << LOGD_ID_SHIFT) | offset;
    }

    /**
     * The logd id of a packed location.
     *
     * @param replica packed location.
     * @return the logd id.
     */
    public static int logdId(final long replica)
    {
        return (int)(replica >>> LOGD_ID_SHIFT);
    }

    /**
     * The offset of a packed location.
     *
     * @param replica packed location.
     * @return the offset in the logd.
     */
    public static long offset(final long replica)
    {
        return replica & MAX_OFFSET;
    }
}
