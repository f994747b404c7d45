package io.metrodb.protocol.testing;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * The seed of a randomised test: {@code -D<property>}, else {@code -Dmetrodb.seed}, else a fresh one. It is
 * printed, with the test's name, when the test first asks for it, and prefixed to any failure of a test that
 * used it, with the {@code -D} that replays it.
 * <pre>
 * &#64;RegisterExtension
 * final TestSeed seed = new TestSeed("codec.seed");   // a new seed for each test method
 * ...
 * final SplittableRandom random = seed.random();
 * </pre>
 * Outside a JUnit test method (a shared helper) use {@link #resolve(String, String)}, which prints at once, and
 * put {@link #describe()} into the assertion messages.
 */
public final class TestSeed implements BeforeEachCallback, TestExecutionExceptionHandler
{
    /** Applies to every randomised test whose own property is not set. */
    public static final String GLOBAL_PROPERTY = "metrodb.seed";

    private final String property;
    private final long value;
    private String label = "";
    private boolean used;

    /**
     * @param property the test's own seed property, e.g. {@code codec.seed}.
     */
    public TestSeed(final String property)
    {
        this.property = property;
        final String own = System.getProperty(property, "").trim();
        final String global = System.getProperty(GLOBAL_PROPERTY, "").trim();
        // Parsed strictly: a mistyped seed fails loudly instead of silently running a fresh one.
        this.value = !own.isEmpty() ? Long.parseLong(own) :
            !global.isEmpty() ? Long.parseLong(global) : new SecureRandom().nextLong();
    }

    /**
     * Resolves and prints a seed for code that is not a JUnit test method.
     *
     * @param label what the seed is for, printed with it.
     */
    public static TestSeed resolve(final String property, final String label)
    {
        final TestSeed seed = new TestSeed(property);
        seed.label = label;
        seed.use();
        return seed;
    }

    public long value()
    {
        use();
        return value;
    }

    /**
     * @return a new generator at the start of the seed's sequence.
     */
    public SplittableRandom random()
    {
        use();
        return new SplittableRandom(value);
    }

    /**
     * @return {@code seed=<n>, rerun with -D<property>=<n>}, for failure messages.
     */
    public String describe()
    {
        return "seed=" + value + ", rerun with -D" + property + "=" + value;
    }

    @Override
    public String toString()
    {
        return describe();
    }

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        label = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
    }

    @Override
    public void handleTestExecutionException(final ExtensionContext context, final Throwable failure)
        throws Throwable
    {
        if (!used || failure instanceof TestAbortedException)
        {
            throw failure;
        }
        throw withSeed(failure);
    }

    /**
     * @return an {@link AssertionError} whose message starts with {@link #describe()}, caused by {@code failure}.
     */
    public AssertionError withSeed(final Throwable failure)
    {
        final String what = failure instanceof AssertionError && null != failure.getMessage() ?
            failure.getMessage() : failure.toString();
        return new AssertionError(describe() + ": " + what, failure);
    }

    private void use()
    {
        if (!used)
        {
            used = true;
            System.out.println((label.isEmpty() ? "" : label + " ") + describe());
        }
    }
}
