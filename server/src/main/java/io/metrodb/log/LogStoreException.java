package io.metrodb.log;

/**
 * Failure of a cold-path log operation (open, verify, blocking helpers) carrying a {@link LogResult} code.
 */
public final class LogStoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int code;

    public LogStoreException(final int code, final String message)
    {
        super(LogResult.describe(code) + ": " + message);
        this.code = code;
    }

    public LogStoreException(final int code, final String message, final Throwable cause)
    {
        super(LogResult.describe(code) + ": " + message, cause);
        this.code = code;
    }

    /**
     * @return the {@link LogResult} code.
     */
    public int code()
    {
        return code;
    }
}
