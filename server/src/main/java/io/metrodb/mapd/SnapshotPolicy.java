package io.metrodb.mapd;

import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.GridSnapshot;
import io.metrodb.server.EventLog;
import io.netty.channel.EventLoop;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When a mapd writes its grid snapshot, and the writing: every {@code --snapshot-interval-ms} if the journal grew
 * at all, whenever the journal has grown by {@code --snapshot-journal-bytes} since the last one (looked at every
 * {@link #JOURNAL_CHECK_MS}), on request, and once when the mapd stops. Scheduled snapshots run on a thread of their
 * own ("mapd-snapshot") and read the grid lock-free; a failed one (a full disk) is logged and counted, and the
 * journal-size trigger then waits {@link #RETRY_AFTER_FAILURE_NS} before it tries again.
 */
final class SnapshotPolicy
{
    private static final System.Logger LOG = System.getLogger(SnapshotPolicy.class.getName());
    /** How often the snapshot thread looks at the journal's growth (--snapshot-journal-bytes). */
    static final long JOURNAL_CHECK_MS = 100;
    /** After a failed snapshot (a full disk), the journal-size trigger waits this long before it tries again. */
    static final long RETRY_AFTER_FAILURE_NS = TimeUnit.SECONDS.toNanos(10);

    private final MapdConfig config;
    private final KeyGrid grid;
    private final GridJournal journal;
    private final EventLoop loop;
    private final MapdNode node;
    private final ScheduledExecutorService executor;
    /** The journal position the last snapshot replays from (snapshot thread, or a caller of snapshot()). */
    private volatile long position;
    /** Snapshot thread: no snapshot for the journal's growth before this (System.nanoTime), after a failure. */
    private long retryAtNs = System.nanoTime();

    /**
     * Starts the snapshot thread and its schedule.
     *
     * @param loop     the data-path thread, where the journal position of a snapshot is read.
     * @param position the journal position the recovered snapshot replays from (0 without one).
     */
    SnapshotPolicy(
        final MapdConfig config,
        final KeyGrid grid,
        final GridJournal journal,
        final EventLoop loop,
        final MapdNode node,
        final long position)
    {
        this.config = config;
        this.grid = grid;
        this.journal = journal;
        this.loop = loop;
        this.node = node;
        this.position = position;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "mapd-snapshot");
            thread.setDaemon(true);
            return thread;
        });
        if (config.snapshotIntervalMs() > 0)
        {
            executor.scheduleWithFixedDelay(() -> snapshotIfJournalGrew(1, "every " +
                config.snapshotIntervalMs() + " ms"), config.snapshotIntervalMs(), config.snapshotIntervalMs(),
                TimeUnit.MILLISECONDS);
        }
        if (config.snapshotJournalBytes() > 0)
        {
            executor.scheduleWithFixedDelay(() -> snapshotIfJournalGrew(config.snapshotJournalBytes(),
                "journal grew past --snapshot-journal-bytes " + config.snapshotJournalBytes()), JOURNAL_CHECK_MS,
                JOURNAL_CHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @return the journal position the last snapshot replays from.
     */
    long position()
    {
        return position;
    }

    /**
     * Writes a snapshot now (from any thread; the grid is read lock-free).
     *
     * @param why for the event line, e.g. "requested".
     * @return its header.
     * @throws IOException on a file error.
     */
    GridSnapshot.Header snapshot(final String why) throws IOException
    {
        final long startNs = System.nanoTime();
        final long[] point = journalPoint();
        final GridSnapshot.Header header = GridSnapshot.write(config.dir(), grid, config.nodeId(), point[0], point[1],
            node.replicator().lastAppliedTable().clone());
        final long grewBy = header.journalPosition() - position;
        position = header.journalPosition();
        EventLog.info("mapd " + config.nodeId() + ": snapshot written (" + why + "): " + header.entries() + " keys, " +
            Files.size(config.dir().resolve(GridSnapshot.FILE_NAME)) + " B in " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms; a restart replays the journal from " +
            "position " + header.journalPosition() + " (" + grewBy + " B since the previous snapshot)");
        return header;
    }

    /**
     * As {@link #snapshot(String)}, a failure logged and counted instead of thrown.
     *
     * @return true when the snapshot was written.
     */
    boolean snapshotQuietly(final String why)
    {
        try
        {
            snapshot(why);
            return true;
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.log(System.Logger.Level.ERROR, "snapshot failed; the journal still holds every change: " + e);
            node.countersFile().onError(e);
            return false;
        }
    }

    /**
     * Stops the schedule and waits for a snapshot in progress on the snapshot thread.
     */
    void stop()
    {
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Snapshot thread: writes a snapshot when the journal has grown by at least {@code bytes} since the last one.
     */
    private void snapshotIfJournalGrew(final long bytes, final String why)
    {
        if (journal.tailPosition() - position >= bytes && System.nanoTime() - retryAtNs >= 0 &&
            !snapshotQuietly(why))
        {
            retryAtNs = System.nanoTime() + RETRY_AFTER_FAILURE_NS;
        }
    }

    /**
     * The journal position a snapshot starts replay from, and this mapd's own sequence, read on the data-path
     * thread between two of its tasks: a write journals its change before it installs it in the grid, so a
     * position read from another thread could already be past a change the grid scan then misses.
     *
     * @return {journal position, own sequence}.
     */
    private long[] journalPoint() throws IOException
    {
        if (!loop.inEventLoop() && !loop.isShuttingDown())
        {
            try
            {
                return loop.submit(() -> new long[] {journal.tailPosition(), node.ownSequence()})
                    .get(30, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.RejectedExecutionException e)
            {
                // The loop is stopping: nothing writes any more, read the point here.
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the snapshot's journal position", e);
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e)
            {
                throw new IOException("cannot read the snapshot's journal position from the data-path thread", e);
            }
        }
        return new long[] {journal.tailPosition(), node.ownSequence()};
    }
}
