package io.metrodb.protocol.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that run once per suite: in bin/verify's first JDK pass, skipped (saying why) in the later ones, which pass
 * {@code -Dmetrodb.test.secondPass=true}. For tests that are heavy and depend on no JDK feature the other tests of
 * the later passes do not already exercise (process kills and restarts, chaos, tmpfs mounts, long soaks).
 */
public final class OncePerSuite
{
    /** Set by bin/verify on every JDK pass after the first. */
    public static final String SECOND_PASS = "metrodb.test.secondPass";

    private OncePerSuite()
    {
    }

    /**
     * @return true on a later JDK pass of bin/verify.
     */
    public static boolean isSecondPass()
    {
        return Boolean.getBoolean(SECOND_PASS);
    }

    /**
     * Skips the calling test (or class, from {@code @BeforeAll}) on a later JDK pass.
     *
     * @param test the test's name, for the printed reason.
     */
    public static void assume(final String test)
    {
        Assumptions.assumeFalse(isSecondPass(),
            test + ": skipped: it runs once per suite, in bin/verify's first JDK pass");
    }
}
