package io.metrodb.bench.load;

/**
 * Key names as redis-benchmark spells them, {@code key:000000012345} (16 bytes), written in place into a slot's
 * key array so that no request allocates one.
 */
final class Keys
{
    /** Bytes in every key. */
    static final int LENGTH = 16;
    /** Keys are numbered 0 up to this, exclusive (12 decimal digits). */
    static final long MAX_KEYS = 1_000_000_000_000L;

    private static final int DIGITS = 12;

    private Keys()
    {
    }

    /**
     * @param into  {@link #LENGTH} bytes.
     * @param index 0 to {@link #MAX_KEYS}, exclusive.
     */
    static void write(final byte[] into, final long index)
    {
        into[0] = 'k';
        into[1] = 'e';
        into[2] = 'y';
        into[3] = ':';
        long rest = index;
        for (int i = LENGTH - 1; i >= LENGTH - DIGITS; i--)
        {
            into[i] = (byte)('0' + (int)(rest % 10));
            rest /= 10;
        }
    }
}
