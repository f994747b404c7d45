package io.metrodb.tools.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Injects faults at random (seeded) intervals and repairs each after a random time: {@code kill -9} of a logd, a
 * mapd or mond (then a restart on the same directory and port), or a cut of one mapd's link to one logd (its proxy
 * drops every connection, or holds every byte). Kinds come in rounds, each round every kind once in a random order,
 * so a short run sees each (a kind that has to wait lets the next round's go first). RF logds stay reachable from
 * every mapd: at most one logd is down or cut off at a time (3 logds, RF 2), until it listens again; at most one
 * mapd is down at a time. Each fault and repair is one line.
 */
final class Killer
{
    /** The kinds of fault. */
    enum Kind
    {
        LOGD("kill -9 logd"),
        MAPD("kill -9 mapd"),
        MOND("kill -9 mond"),
        LINK("link cut");

        final String label;

        Kind(final String label)
        {
            this.label = label;
        }
    }

    /** A fault in progress: until {@code endNs}, then recovering until its daemon listens again. */
    private static final class Fault
    {
        final Kind kind;
        final ChaosCluster.Daemon daemon;
        final Link link;
        final long endNs;
        boolean repaired;

        Fault(final Kind kind, final ChaosCluster.Daemon daemon, final Link link, final long endNs)
        {
            this.kind = kind;
            this.daemon = daemon;
            this.link = link;
            this.endNs = endNs;
        }

        String target()
        {
            return link != null ? link.name() : daemon.name();
        }
    }

    private static final long TICK_MS = 50;

    private final ChaosCluster cluster;
    private final SplittableRandom random;
    private final long minIntervalMs;
    private final long maxIntervalMs;
    private final long minDownMs;
    private final long maxDownMs;
    private final PrintStream out;
    private final long startNs;
    private final List<Fault> active = new ArrayList<>();
    private final List<Kind> round = new ArrayList<>();
    private final long[] injected = new long[Kind.values().length];
    /** When each mapd was killed ({@link System#nanoTime()}), for the failed writes' attribution. */
    private final List<Long> mapdKills = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long drops;
    private long stalls;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    Killer(final ChaosCluster cluster, final long seed, final long minIntervalMs, final long maxIntervalMs,
        final long minDownMs, final long maxDownMs, final PrintStream out, final long startNs)
    {
        this.cluster = cluster;
        this.random = new SplittableRandom(seed);
        this.minIntervalMs = minIntervalMs;
        this.maxIntervalMs = maxIntervalMs;
        this.minDownMs = minDownMs;
        this.maxDownMs = maxDownMs;
        this.out = out;
        this.startNs = startNs;
        this.thread = new Thread(this::loop, "chaos-killer");
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * Stops injecting, then repairs every fault in progress: heals every link, restarts every daemon that is down,
     * and waits until each listens.
     *
     * @throws IOException when the killer failed, or a daemon does not listen again by the deadline.
     */
    void stop(final long deadlineNs) throws IOException, InterruptedException
    {
        running = false;
        thread.join();
        if (failure != null)
        {
            throw new IOException("the killer failed: " + failure, failure);
        }
        cluster.healLinks();
        for (final ChaosCluster.Daemon daemon : cluster.daemons())
        {
            if (!daemon.running())
            {
                event("restart " + daemon.name() + " (faults stop)");
                cluster.start(daemon);
            }
        }
        for (final ChaosCluster.Daemon daemon : cluster.daemons())
        {
            cluster.awaitListening(daemon, deadlineNs);
        }
    }

    long injected(final Kind kind)
    {
        return injected[kind.ordinal()];
    }

    long total()
    {
        long total = 0;
        for (final long n : injected)
        {
            total += n;
        }
        return total;
    }

    /**
     * @return when each mapd was killed, in order.
     */
    List<Long> mapdKills()
    {
        return List.copyOf(mapdKills);
    }

    long drops()
    {
        return drops;
    }

    long stalls()
    {
        return stalls;
    }

    private void loop()
    {
        try
        {
            long nextNs = System.nanoTime() + between(minIntervalMs, maxIntervalMs);
            while (running)
            {
                final long now = System.nanoTime();
                repair(now);
                if (now - nextNs >= 0 && inject(now))
                {
                    nextNs = now + between(minIntervalMs, maxIntervalMs);
                }
                // The scenario's clock: faults are due at times, not on events.
                Thread.sleep(TICK_MS);
            }
        }
        catch (final Throwable e)
        {
            failure = e;
        }
    }

    /**
     * Repairs the faults that are due, and ends those whose daemon listens again.
     */
    private void repair(final long now) throws IOException, InterruptedException
    {
        for (final Iterator<Fault> it = active.iterator(); it.hasNext(); )
        {
            final Fault fault = it.next();
            if (!fault.repaired)
            {
                if (now - fault.endNs < 0)
                {
                    continue;
                }
                fault.repaired = true;
                if (fault.link != null)
                {
                    fault.link.heal();
                    event("heal " + fault.target());
                    it.remove();
                    continue;
                }
                cluster.start(fault.daemon);
                event("restart " + fault.target());
            }
            if (cluster.listening(fault.daemon))
            {
                it.remove();
            }
            else if (!fault.daemon.running())
            {
                // It could not bind yet (the port of the killed process not free yet): again.
                cluster.start(fault.daemon);
            }
        }
    }

    /**
     * @return whether a fault was injected: none when every kind's limit is reached.
     */
    private boolean inject(final long now) throws InterruptedException
    {
        if (round.isEmpty())
        {
            newRound();
        }
        for (int attempt = 0; attempt < 2; attempt++)
        {
            for (int i = 0; i < round.size(); i++)
            {
                final Kind kind = round.get(i);
                if (allowed(kind))
                {
                    round.remove(i);
                    inject(kind, now);
                    return true;
                }
            }
            // What is left of this round waits for its limit (a logd still restarting): the next round goes
            // on meanwhile, once.
            if (round.size() >= Kind.values().length)
            {
                break;
            }
            newRound();
        }
        return false;
    }

    private void newRound()
    {
        final List<Kind> next = new ArrayList<>();
        for (final Kind kind : Kind.values())
        {
            next.add(random.nextInt(next.size() + 1), kind);
        }
        round.addAll(next);
    }

    private boolean allowed(final Kind kind)
    {
        for (final Fault fault : active)
        {
            final boolean logdSlot = fault.kind == Kind.LOGD || fault.kind == Kind.LINK;
            if (kind == Kind.LOGD || kind == Kind.LINK ? logdSlot : fault.kind == kind)
            {
                return false;
            }
        }
        return true;
    }

    private void inject(final Kind kind, final long now) throws InterruptedException
    {
        final long downMs = between(minDownMs, maxDownMs) / 1_000_000;
        final long endNs = now + TimeUnit.MILLISECONDS.toNanos(downMs);
        injected[kind.ordinal()]++;
        if (kind == Kind.LINK)
        {
            final Link link =
                cluster.links[random.nextInt(ChaosCluster.MAPDS)][random.nextInt(ChaosCluster.LOGDS)];
            final boolean drop = random.nextBoolean();
            if (drop)
            {
                drops++;
                link.drop();
            }
            else
            {
                stalls++;
                link.stall();
            }
            active.add(new Fault(kind, null, link, endNs));
            event("cut " + link.name() + (drop ? " (connections dropped)" : " (bytes held)") + " for " + downMs +
                " ms");
            return;
        }
        final ChaosCluster.Daemon daemon = kind == Kind.LOGD ?
            cluster.logds.get(random.nextInt(ChaosCluster.LOGDS)) : kind == Kind.MAPD ?
            cluster.mapds.get(random.nextInt(ChaosCluster.MAPDS)) : cluster.mond;
        // Before the signal: a call in flight then fails after it.
        final long killNs = System.nanoTime();
        final long pid = cluster.kill(daemon);
        if (kind == Kind.MAPD)
        {
            mapdKills.add(killNs);
        }
        active.add(new Fault(kind, daemon, null, endNs));
        event("kill -9 " + daemon.name() + " (pid " + pid + "), down for " + downMs + " ms");
    }

    /**
     * @return a random time in [min, max] ms, in ns.
     */
    private long between(final long minMs, final long maxMs)
    {
        return TimeUnit.MILLISECONDS.toNanos(minMs + (maxMs > minMs ? random.nextLong(maxMs - minMs + 1) : 0));
    }

    private void event(final String what)
    {
        out.println(String.format(Locale.ROOT, "chaos: %7.1f s  %s", (System.nanoTime() - startNs) / 1e9, what));
    }
}
