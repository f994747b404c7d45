package io.metrodb.log;

/**
 * Result codes of the log API: values {@code >= 0} are offsets or lengths, negative values are the errors below.
 */
public final class LogResult
{
    public static final int OK = 0;

    /** Payload longer than {@link LogConfig#maxEntryLength()}. */
    public static final int ENTRY_TOO_LARGE = -1;
    /** A new segment could not be created: size budget exhausted or the device is full. */
    public static final int STORAGE_FULL = -2;
    /** The store is closed or closing. */
    public static final int CLOSED = -3;
    /** Too many durable appends are waiting for a force; retry later. */
    public static final int BACK_PRESSURED = -4;
    /** A force or file operation failed; the store refuses writes from then on. */
    public static final int IO_ERROR = -5;
    /** Negative length or source range outside the source buffer. */
    public static final int INVALID_ARGUMENT = -6;

    /** Negative or misaligned offset. */
    public static final int BAD_OFFSET = -10;
    /** Offset at or beyond the tail. */
    public static final int PAST_TAIL = -11;
    /** No record starts at this offset (inside a payload, padding, or not yet published). */
    public static final int NOT_A_RECORD = -12;
    /** A record header is there but its length, flags or CRC are wrong. */
    public static final int CORRUPT = -13;
    /** The destination cannot take the whole payload. */
    public static final int BUFFER_TOO_SMALL = -14;

    private LogResult()
    {
    }

    /**
     * Name of a result code, for messages and logs.
     *
     * @param code a value returned by the log API.
     * @return its name, or {@code "OK"} for non-negative values.
     */
    public static String describe(final long code)
    {
        if (code >= 0)
        {
            return "OK";
        }

        switch ((int)code)
        {
            case ENTRY_TOO_LARGE: return "ENTRY_TOO_LARGE";
            case STORAGE_FULL: return "STORAGE_FULL";
            case CLOSED: return "CLOSED";
            case BACK_PRESSURED: return "BACK_PRESSURED";
            case IO_ERROR: return "IO_ERROR";
            case INVALID_ARGUMENT: return "INVALID_ARGUMENT";
            case BAD_OFFSET: return "BAD_OFFSET";
            case PAST_TAIL: return "PAST_TAIL";
            case NOT_A_RECORD: return "NOT_A_RECORD";
            case CORRUPT: return "CORRUPT";
            case BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
            default: return "UNKNOWN(" + code + ")";
        }
    }
}
