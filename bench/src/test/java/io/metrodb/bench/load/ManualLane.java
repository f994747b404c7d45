package io.metrodb.bench.load;

import java.util.PriorityQueue;

/**
 * A {@link Lane} on a clock the test moves: tasks run, in time order (then in the order scheduled), when
 * {@link #runUntil} passes their time, with the clock set to it. Single-threaded.
 */
final class ManualLane implements Lane
{
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long nowNs;
    private long sequence;

    ManualLane(final long startNs)
    {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    @Override
    public void schedule(final Runnable task, final long atNs)
    {
        tasks.add(new Task(Math.max(atNs, nowNs), sequence++, task));
    }

    @Override
    public void execute(final Runnable task)
    {
        schedule(task, nowNs);
    }

    /**
     * Runs every task due up to {@code untilNs}, tasks they schedule included, then sets the clock to it.
     */
    void runUntil(final long untilNs)
    {
        Task next;
        while ((next = tasks.peek()) != null && next.atNs <= untilNs)
        {
            tasks.poll();
            nowNs = next.atNs;
            next.task.run();
        }
        nowNs = Math.max(nowNs, untilNs);
    }

    boolean idle()
    {
        return tasks.isEmpty();
    }

    private static final class Task implements Comparable<Task>
    {
        final long atNs;
        final long order;
        final Runnable task;

        Task(final long atNs, final long order, final Runnable task)
        {
            this.atNs = atNs;
            this.order = order;
            this.task = task;
        }

        @Override
        public int compareTo(final Task other)
        {
            final int byTime = Long.compare(atNs, other.atNs);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
