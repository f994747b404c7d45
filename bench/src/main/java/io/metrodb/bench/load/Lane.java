package io.metrodb.bench.load;

/**
 * The thread a {@link LoadConnection} runs on and its clock: a Netty event loop in a run ({@link EventLoopLane}),
 * a hand-driven clock in the tests.
 */
interface Lane
{
    /**
     * @return now, in the {@link System#nanoTime()} sense.
     */
    long nanoTime();

    /**
     * Runs {@code task} on the lane at {@code atNs} (at once when that has passed).
     */
    void schedule(Runnable task, long atNs);

    /**
     * Runs {@code task} on the lane as soon as it can.
     */
    void execute(Runnable task);
}
