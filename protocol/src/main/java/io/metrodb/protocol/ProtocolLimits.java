package io.metrodb.protocol;

/**
 * Limits every peer enforces. The value and frame limits are defaults that a server may configure;
 * the key limit is fixed by the 16-bit key length field.
 */
public final class ProtocolLimits
{
    public static final int MIN_KEY_LENGTH = 1;
    public static final int MAX_KEY_LENGTH = 0xFFFF;
    public static final int DEFAULT_MAX_VALUE_LENGTH = 64 * 1024 * 1024;
    /** Room for the header, a maximal key and the fixed fields of any request around the largest value. */
    public static final int FRAME_OVERHEAD = 128 * 1024;
    public static final int DEFAULT_MAX_FRAME_LENGTH = DEFAULT_MAX_VALUE_LENGTH + FRAME_OVERHEAD;
    /** A configured frame limit may not exceed 1 GiB, so that every length fits a signed int with room. */
    public static final int MAX_FRAME_LENGTH_CEILING = 1 << 30;
    public static final int MAX_ERROR_MESSAGE_LENGTH = 0xFFFF;
    public static final int MAX_TOKEN_LENGTH = 0xFFFF;

    private ProtocolLimits()
    {
    }

    /**
     * @param maxValueLength the largest value a server accepts.
     * @return the frame limit that admits that value with any key.
     */
    public static int frameLengthFor(final int maxValueLength)
    {
        if (maxValueLength < 0 || maxValueLength > MAX_FRAME_LENGTH_CEILING - FRAME_OVERHEAD)
        {
            throw new IllegalArgumentException("max value length must be in 0.." +
                (MAX_FRAME_LENGTH_CEILING - FRAME_OVERHEAD) + " bytes, was " + maxValueLength);
        }
        return maxValueLength + FRAME_OVERHEAD;
    }
}
