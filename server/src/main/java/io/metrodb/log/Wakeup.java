package io.metrodb.log;

import java.util.concurrent.locks.LockSupport;

/**
 * Lets a background agent thread sleep until there is work, with no lock and no lost wake-up.
 * <p>
 * The agent calls {@link #prepareToSleep()} (or {@link #prepareToNap()}), then looks for work once more, then
 * {@link #sleep}s (or {@link #cancelSleep()}s if it found some). A producer publishes its work, then calls
 * {@link #wakeIfSleeping()} or, for work that must not wait for a nap to end, {@link #wakeIfResting()}; either costs
 * one volatile read while the agent is awake. It is safe when publishing the work includes a volatile write or
 * atomic update (a tail {@code getAndAdd}, a claim CAS) that the agent's last look reads: volatile accesses are
 * totally ordered, so either that look comes after the update and sees the work, or it comes before, and then so
 * does the agent's announcement, which the producer's later read of the state sees.
 * <p>
 * A <b>nap</b> is a short rest that only urgent work cuts short ({@link #wakeIfResting()}); other work waits for
 * its end. A <b>sleep</b> is cut short by any work. An unpark that comes before the park makes it return at once,
 * so a wake-up racing the agent's decision to rest costs it at most one extra duty cycle.
 */
final class Wakeup
{
    private static final int AWAKE = 0;
    private static final int NAPPING = 1;
    private static final int SLEEPING = 2;

    private volatile Thread thread;
    private volatile int state;
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
     * Producer side, after publishing work that can wait for a nap to end: unpark the agent if it sleeps (or is
     * about to).
     */
    void wakeIfSleeping()
    {
        if (state == SLEEPING)
        {
            state = AWAKE;
            LockSupport.unpark(thread);
        }
    }

    /**
     * Producer side, after publishing urgent work (a durable append someone waits for): unpark the agent if it
     * sleeps or naps (or is about to).
     */
    void wakeIfResting()
    {
        if (state != AWAKE)
        {
            state = AWAKE;
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
     * @return true while the agent has announced a sleep (not a nap) that no producer has cut short yet.
     */
    boolean isSleeping()
    {
        return state == SLEEPING;
    }

    /**
     * @return true while the agent has announced a nap that no urgent work has cut short yet.
     */
    boolean isNapping()
    {
        return state == NAPPING;
    }

    /**
     * Agent side: announce a sleep that any work ends; then look for work once more.
     */
    void prepareToSleep()
    {
        state = SLEEPING;
    }

    /**
     * Agent side: announce a nap that only urgent work ends; then look for urgent work once more.
     */
    void prepareToNap()
    {
        state = NAPPING;
    }

    /**
     * Agent side: the last look found work after all.
     */
    void cancelSleep()
    {
        state = AWAKE;
    }

    /**
     * Agent side, after {@link #prepareToSleep()} or {@link #prepareToNap()} and a last look that found nothing:
     * park until a producer wakes it, {@link #stop()}, an interrupt, or {@code timeoutNs} (or spuriously).
     */
    void sleep(final long timeoutNs)
    {
        if (!stopped)
        {
            LockSupport.parkNanos(this, timeoutNs);
        }
        state = AWAKE;
    }
}
