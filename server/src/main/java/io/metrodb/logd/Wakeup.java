package io.metrodb.logd;

import java.util.concurrent.locks.LockSupport;

/**
 * Lets a background agent thread sleep until there is work, with no lock and no lost wake-up.
 * <p>
 * The agent calls {@link #prepareToSleep()}, then looks for work once more, then {@link #sleep}s (or
 * {@link #cancelSleep()}s if it found some). A producer publishes its work, then calls {@link #wakeIfSleeping()},
 * which costs one volatile read while the agent is awake. It is safe when publishing the work includes a volatile
 * write or atomic update (a tail {@code getAndAdd}, a claim CAS) that the agent's last look reads: volatile
 * accesses are totally ordered, so either that look comes after the update and sees the work, or it comes before,
 * and then so does the agent's {@code sleeping = true}, which the producer's later read of the flag sees.
 * <p>
 * An unpark that comes before the park makes it return at once, so a wake-up racing the agent's decision to sleep
 * costs it at most one extra duty cycle.
 */
final class Wakeup
{
    private volatile Thread thread;
    private volatile boolean sleeping;
    private volatile boolean stopped;

    /**
     * The agent thread, before it first looks for work ({@code Agent.onStart}). A producer that finds no thread
     * bound yet needs to wake nobody: the agent's first duty cycle comes after this and sees the work.
     */
    void bind(final Thread agentThread)
    {
        thread = agentThread;
    }

    /**
     * Producer side, after publishing work: unpark the agent if it is sleeping or about to.
     */
    void wakeIfSleeping()
    {
        if (sleeping)
        {
            sleeping = false;
            LockSupport.unpark(thread);
        }
    }

    /**
     * Unpark the agent whatever it is doing.
     */
    void wake()
    {
        final Thread agentThread = thread;
        if (null != agentThread)
        {
            LockSupport.unpark(agentThread);
        }
    }

    /**
     * The agent is being stopped: wake it, and never let it sleep again, so its runner sees the stop at once.
     */
    void stop()
    {
        stopped = true;
        wake();
    }

    boolean isStopped()
    {
        return stopped;
    }

    /**
     * @return true while the agent has announced a sleep that no producer has cut short yet.
     */
    boolean isSleeping()
    {
        return sleeping;
    }

    /**
     * Agent side: announce the sleep; then look for work once more.
     */
    void prepareToSleep()
    {
        sleeping = true;
    }

    /**
     * Agent side: the last look found work after all.
     */
    void cancelSleep()
    {
        sleeping = false;
    }

    /**
     * Agent side, after {@link #prepareToSleep()} and a last look that found nothing: park until a producer
     * wakes it, {@link #stop()}, an interrupt, or {@code timeoutNs} (or spuriously).
     */
    void sleep(final long timeoutNs)
    {
        if (!stopped)
        {
            LockSupport.parkNanos(this, timeoutNs);
        }
        sleeping = false;
    }
}
