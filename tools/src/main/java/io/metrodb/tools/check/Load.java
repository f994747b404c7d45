package io.metrodb.tools.check;

import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The check's load: writer threads on one {@link MetroClient}, each in a loop of one write and one read. Three writes
 * in four go to a fresh key (SETSAFE and SET in turn, a key and a value of their own, recorded in the
 * {@link WriteLedger} with their outcome); the fourth is a SET of one of a few shared keys that every writer
 * overwrites. Each read is a GET of a fresh key this writer had acknowledged, checked against its value. Counters are
 * kept per {@link Phase}: the phase current when the operation began.
 */
final class Load
{
    /** The parts of a run; the counters of each are kept apart. */
    enum Phase
    {
        BEFORE("before"),
        FAULT_EARLY("fault-early"),
        FAULT_LATE("fault-late"),
        AFTER("after");

        final String label;

        Phase(final String label)
        {
            this.label = label;
        }
    }

    /** Counters of one phase. */
    static final class Counters
    {
        final LongAdder safeAcked = new LongAdder();
        final LongAdder setAcked = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder readsOk = new LongAdder();
        final LongAdder readsFailed = new LongAdder();
        /** Reads of an acknowledged key that found none: a mapd not caught up yet (MAPD.md allows it). */
        final LongAdder readsStale = new LongAdder();
        /** Reads that found a value other than the one written: never allowed. */
        final LongAdder readsWrong = new LongAdder();
    }

    private final MetroClient client;
    private final WriteLedger ledger;
    private final String prefix;
    private final int hotKeys;
    private final long seed;
    private final Thread[] writers;
    private final Counters[] counters = new Counters[Phase.values().length];
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final List<String> wrongReads = new ArrayList<>();
    private volatile Phase phase = Phase.BEFORE;
    private volatile boolean running = true;

    /**
     * @param client  the client the writers share.
     * @param ledger  where writes are recorded.
     * @param prefix  prefix of every key, unique to the run.
     * @param writers writer threads.
     * @param hotKeys shared keys (0: none).
     * @param seed    seed of the writers' random choices.
     */
    Load(final MetroClient client, final WriteLedger ledger, final String prefix, final int writers,
        final int hotKeys, final long seed)
    {
        this.client = client;
        this.ledger = ledger;
        this.prefix = prefix;
        this.hotKeys = hotKeys;
        this.seed = seed;
        for (int p = 0; p < counters.length; p++)
        {
            counters[p] = new Counters();
        }
        this.writers = new Thread[writers];
        for (int w = 0; w < writers; w++)
        {
            final int writer = w;
            this.writers[w] = new Thread(() -> write(writer), "multihost-writer-" + w);
            this.writers[w].setDaemon(true);
        }
    }

    void start()
    {
        for (final Thread writer : writers)
        {
            writer.start();
        }
    }

    void phase(final Phase next)
    {
        phase = next;
    }

    /**
     * Stops the writers and waits for them (each finishes the operation it is in, at most about two request
     * timeouts).
     */
    void stop() throws InterruptedException
    {
        running = false;
        for (final Thread writer : writers)
        {
            writer.join();
        }
    }

    Counters counters(final Phase of)
    {
        return counters[of.ordinal()];
    }

    /**
     * @return failed operations by exception, e.g. {@code MetroTimeoutException=12}.
     */
    Map<String, LongAdder> failures()
    {
        return failures;
    }

    /**
     * @return the first few reads that found a wrong value, described.
     */
    List<String> wrongReads()
    {
        synchronized (wrongReads)
        {
            return List.copyOf(wrongReads);
        }
    }

    private void write(final int writer)
    {
        final SplittableRandom random = new SplittableRandom(seed + writer);
        final List<String> ackedKeys = new ArrayList<>();
        final List<String> ackedValues = new ArrayList<>();
        long n = 0;
        while (running)
        {
            n++;
            final Phase at = phase;
            final Counters count = counters[at.ordinal()];
            if (hotKeys > 0 && (n & 3) == 0)
            {
                final String key = prefix + "hot/" + random.nextInt(hotKeys);
                final String value = key + "=SET@" + at.label + "/w" + writer + "#" + n;
                ledger.hot(key, value);
                try
                {
                    client.set(key, value);
                    count.setAcked.increment();
                }
                catch (final RuntimeException e)
                {
                    failed(count, e);
                }
            }
            else
            {
                final boolean safe = (n & 1) == 1;
                final String key = prefix + "k/" + writer + "/" + n;
                final String value = key + "=" + (safe ? "SETSAFE" : "SET") + "@" + at.label;
                boolean acked = false;
                try
                {
                    if (safe)
                    {
                        client.setSafe(key, value);
                        count.safeAcked.increment();
                    }
                    else
                    {
                        client.set(key, value);
                        count.setAcked.increment();
                    }
                    acked = true;
                    ackedKeys.add(key);
                    ackedValues.add(value);
                }
                catch (final RuntimeException e)
                {
                    failed(count, e);
                }
                ledger.fresh(key, value, safe, acked);
            }
            if (!ackedKeys.isEmpty())
            {
                read(count, random.nextInt(ackedKeys.size()), ackedKeys, ackedValues);
            }
        }
    }

    private void read(final Counters count, final int pick, final List<String> keys, final List<String> values)
    {
        final String key = keys.get(pick);
        try
        {
            final String read = client.get(key);
            if (values.get(pick).equals(read))
            {
                count.readsOk.increment();
            }
            else if (read == null)
            {
                count.readsStale.increment();
            }
            else
            {
                count.readsWrong.increment();
                synchronized (wrongReads)
                {
                    if (wrongReads.size() < Audit.EXAMPLES)
                    {
                        wrongReads.add(key + ": read '" + read + "', acknowledged '" + values.get(pick) + "'");
                    }
                }
            }
        }
        catch (final RuntimeException e)
        {
            count.readsFailed.increment();
            failures.computeIfAbsent("GET " + reason(e), k -> new LongAdder()).increment();
        }
    }

    private void failed(final Counters count, final RuntimeException e)
    {
        count.failed.increment();
        failures.computeIfAbsent("write " + reason(e), k -> new LongAdder()).increment();
    }

    private static String reason(final RuntimeException e)
    {
        return e instanceof MetroException ? ((MetroException)e).statusName() : e.getClass().getSimpleName();
    }
}
