package io.metrodb.audit;

/**
 * One system call from an strace log, its {@code <unfinished ...>} and {@code <... resumed>} halves joined.
 *
 * @param pid       the thread that made it.
 * @param name      the call, e.g. {@code msync}.
 * @param args      its arguments as strace printed them, without the parentheses.
 * @param result    what followed {@code " = "}: {@code 0}, {@code 0x7f...}, {@code -1 EAGAIN (...)}, {@code ?}.
 * @param startLine line (0-based) where the call was entered: its whole line, or its {@code <unfinished ...>} line.
 * @param endLine   line where it returned: its whole line, or its {@code <... resumed>} line. strace prints a call
 *                  whole only when nothing else was printed between its entry and its return, so line order is the
 *                  order of events: a call whose {@code endLine} is below another's {@code startLine} had returned
 *                  before the other was entered.
 */
record Syscall(int pid, String name, String args, String result, int startLine, int endLine)
{
    /**
     * @return the return value, or -1 for an error or an unknown result ({@code ?}).
     */
    long returnValue()
    {
        final String token = firstToken(result);
        try
        {
            if (token.startsWith("0x"))
            {
                return Long.parseUnsignedLong(token.substring(2), 16);
            }
            return Long.parseLong(token);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    boolean succeeded()
    {
        return returnValue() >= 0;
    }

    private static String firstToken(final String text)
    {
        final String trimmed = text.trim();
        final int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }
}
