package io.metrodb.tools.chaos;

import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The load: writer threads on one {@link MetroClient}, each writing keys of its own ({@code <prefix>w<writer>/<i>},
 * {@code i} random below the keys per writer, so most keys are written several times), by SETSAFE or SET at random,
 * one blocking call at a time, paced to at most its share of the rate. Each write and its outcome go to the
 * {@link WriteLog}.
 */
final class Writers
{
    private final MetroClient client;
    private final WriteLog log;
    private final String prefix;
    private final int keysPerWriter;
    private final long seed;
    private final long intervalNs;
    private final Thread[] threads;
    final LongAdder safeAcked = new LongAdder();
    final LongAdder setAcked = new LongAdder();
    final LongAdder safeFailed = new LongAdder();
    final LongAdder setFailed = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    /** Every failed write, with when its call began and ended: failures are few. */
    private final ConcurrentLinkedQueue<Failure> failed = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    /**
     * @param client        the client the writers share.
     * @param log           where writes are recorded.
     * @param prefix        prefix of every key, unique to the run.
     * @param writers       writer threads.
     * @param keysPerWriter keys each writer writes.
     * @param maxRate       most writes per second, over all writers.
     * @param seed          seed of the writers' random choices (writer w: seed + w).
     */
    Writers(final MetroClient client, final WriteLog log, final String prefix, final int writers,
        final int keysPerWriter, final int maxRate, final long seed)
    {
        this.client = client;
        this.log = log;
        this.prefix = prefix;
        this.keysPerWriter = keysPerWriter;
        this.seed = seed;
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) * writers / maxRate;
        this.threads = new Thread[writers];
        for (int w = 0; w < writers; w++)
        {
            final int writer = w;
            threads[w] = new Thread(() -> write(writer), "chaos-writer-" + w);
            threads[w].setDaemon(true);
        }
    }

    void start()
    {
        for (final Thread thread : threads)
        {
            thread.start();
        }
    }

    /**
     * Stops the writers and waits for them (each finishes its call: at most about two request timeouts).
     */
    void stop() throws InterruptedException
    {
        running = false;
        for (final Thread thread : threads)
        {
            thread.join();
        }
    }

    long acked()
    {
        return safeAcked.sum() + setAcked.sum();
    }

    /**
     * @return failed writes by call and reason, e.g. {@code SETSAFE TIMEOUT=3}, sorted.
     */
    Map<String, Long> failures()
    {
        final Map<String, Long> sorted = new TreeMap<>();
        failures.forEach((reason, count) -> sorted.put(reason, count.sum()));
        return sorted;
    }

    /**
     * A failed write: its call, why it failed, and when the call began and ended ({@link System#nanoTime()}).
     */
    record Failure(String call, String status, long startNs, long endNs)
    {
    }

    /**
     * @return every failed write so far.
     */
    List<Failure> failed()
    {
        return new ArrayList<>(failed);
    }

    private void write(final int writer)
    {
        final SplittableRandom random = new SplittableRandom(seed + writer);
        long next = System.nanoTime();
        long seq = 0;
        while (running)
        {
            seq++;
            final String key = prefix + "w" + writer + "/" + random.nextInt(keysPerWriter);
            final boolean safe = random.nextBoolean();
            final String value = WriteLog.value(writer, seq, safe, key);
            final List<WriteLog.Write> history = log.history(key);
            String failure = null;
            final long startNs = System.nanoTime();
            try
            {
                if (safe)
                {
                    client.setSafe(key, value);
                    safeAcked.increment();
                }
                else
                {
                    client.set(key, value);
                    setAcked.increment();
                }
            }
            catch (final RuntimeException e)
            {
                failure = e instanceof MetroException ? ((MetroException)e).statusName() :
                    e.getClass().getSimpleName();
                (safe ? safeFailed : setFailed).increment();
                failures.computeIfAbsent((safe ? "SETSAFE " : "SET ") + failure, k -> new LongAdder()).increment();
                failed.add(new Failure(safe ? "SETSAFE" : "SET", failure, startNs, System.nanoTime()));
            }
            history.add(new WriteLog.Write(value, safe, failure));
            next += intervalNs;
            final long wait = next - System.nanoTime();
            if (wait > 0)
            {
                LockSupport.parkNanos(wait);
            }
            else
            {
                // Behind the rate (the cluster is slower): do not burst to catch up.
                next = System.nanoTime();
            }
        }
    }
}
