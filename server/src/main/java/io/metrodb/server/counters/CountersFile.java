package io.metrodb.server.counters;

import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.ConcurrentCountersManager;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.metrodb.server.counters.CountersLayout.*;

/**
 * A daemon's counters file, as the daemon writes it: created at start (replacing a stale one), counters allocated
 * from its {@link #countersManager()}, errors recorded in its distinct error log and counted. On {@link #close()}
 * it is marked closed and left in place, so {@code bin/metrodb stat} can still read the last values. The mapping
 * itself is released with the last counter that refers to it (never explicitly: a late increment from a thread
 * still stopping must not touch unmapped memory).
 */
public final class CountersFile implements AutoCloseable, ErrorHandler
{
    private static final System.Logger LOG = System.getLogger(CountersFile.class.getName());

    private final Path file;
    private final AtomicBuffer header;
    private final CountersManager countersManager;
    private final DistinctErrorLog errorLog;
    private final AtomicCounter errors;
    private final ByteBuffer mapping;

    private CountersFile(final Path file, final ByteBuffer mapping, final String kind, final long pid,
        final EpochClock clock)
    {
        this.file = file;
        this.mapping = mapping;
        this.header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        final byte[] kindBytes = kind.getBytes(StandardCharsets.US_ASCII);
        if (kindBytes.length > MAX_KIND_LENGTH)
        {
            throw new IllegalArgumentException("kind too long: " + kind);
        }
        header.putLong(PID_OFFSET, pid);
        header.putLong(START_TIME_OFFSET, clock.time());
        header.putInt(CLOSED_OFFSET, 0);
        header.putInt(METADATA_LENGTH_OFFSET, METADATA_LENGTH);
        header.putInt(VALUES_LENGTH_OFFSET, VALUES_LENGTH);
        header.putInt(ERROR_LOG_LENGTH_OFFSET, ERROR_LOG_LENGTH);
        header.putInt(KIND_OFFSET, kindBytes.length);
        header.putBytes(KIND_OFFSET + Integer.BYTES, kindBytes);
        header.putInt(VERSION_OFFSET, VERSION);
        countersManager = new ConcurrentCountersManager(
            new UnsafeBuffer(mapping, metadataOffset(), METADATA_LENGTH),
            new UnsafeBuffer(mapping, valuesOffset(METADATA_LENGTH), VALUES_LENGTH),
            StandardCharsets.US_ASCII);
        errorLog = new DistinctErrorLog(
            new UnsafeBuffer(mapping, errorLogOffset(METADATA_LENGTH, VALUES_LENGTH), ERROR_LOG_LENGTH), clock);
        errors = countersManager.newCounter("errors");
        header.putIntVolatile(MAGIC_OFFSET, MAGIC);
    }

    /**
     * Creates {@code dir/counters.dat}, replacing a stale one (a reader that still maps the old file keeps
     * reading the old one).
     *
     * @param dir  the daemon's directory.
     * @param kind what the daemon is: logd, mapd, mond.
     */
    public static CountersFile create(final Path dir, final String kind)
    {
        return create(dir, kind, SystemEpochClock.INSTANCE);
    }

    /**
     * As {@link #create(Path, String)} with the clock that stamps the start and the errors.
     */
    public static CountersFile create(final Path dir, final String kind, final EpochClock clock)
    {
        final Path file = dir.resolve(FILE_NAME);
        try
        {
            Files.createDirectories(dir);
            refuseIfInUse(file);
            Files.deleteIfExists(file);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot create " + file, e);
        }
        final MappedByteBuffer mapping;
        try
        {
            mapping = mapAllocated(file);
        }
        catch (final IOException e)
        {
            deleteQuietly(file, e);
            if (isNoSpace(e))
            {
                // A daemon that restarts on a full disk still serves: its counters live in memory until it
                // restarts with room.
                LOG.log(System.Logger.Level.WARNING, "disk full: cannot create " + file + " (" + e.getMessage() +
                    "); counters kept in memory, `metrodb stat` cannot read them");
                return new CountersFile(null, BufferUtil.allocateDirectAligned(FILE_LENGTH, 64), kind,
                    ProcessHandle.current().pid(), clock);
            }
            throw new UncheckedIOException("cannot create " + file, e);
        }
        return new CountersFile(file, mapping, kind, ProcessHandle.current().pid(), clock);
    }

    /**
     * Creates {@code file} with {@link CountersLayout#FILE_LENGTH} zeros written for real, then maps it. A sparse
     * file filled through the mapping (as Agrona's {@code IoUtil.mapNewFile} does) gets a SIGBUS on a full disk
     * (an InternalError in Java); a write gets "No space left on device".
     */
    private static MappedByteBuffer mapAllocated(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            long position = 0;
            while (position < FILE_LENGTH)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), FILE_LENGTH - position));
                while (zeros.hasRemaining())
                {
                    position += channel.write(zeros, position);
                }
            }
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH);
        }
    }

    private static boolean isNoSpace(final IOException e)
    {
        final String message = e.getMessage();
        return null != message && (message.contains("No space left") || message.contains("Disk quota exceeded"));
    }

    private static void deleteQuietly(final Path file, final IOException cause)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException e)
        {
            cause.addSuppressed(e);
        }
    }

    /**
     * A counters file that another live process has not closed belongs to a daemon still running in this
     * directory: replacing it would hide that daemon's counters.
     */
    private static void refuseIfInUse(final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            return;
        }
        final long pid;
        try (CountersFileReader stale = CountersFileReader.open(file))
        {
            pid = stale.isRunning() ? stale.pid() : 0;
        }
        catch (final IllegalStateException | UncheckedIOException e)
        {
            return; // not a readable counters file: replaced
        }
        if (pid != 0 && pid != ProcessHandle.current().pid())
        {
            throw new IllegalStateException(file + " is in use by running process " + pid);
        }
    }

    /**
     * @return counters held in memory only (tests; daemons started without a directory): nothing to read them
     * from outside.
     */
    public static CountersFile inMemory(final String kind)
    {
        return new CountersFile(null, BufferUtil.allocateDirectAligned(FILE_LENGTH, 64), kind,
            ProcessHandle.current().pid(), SystemEpochClock.INSTANCE);
    }

    /**
     * @return the file, or null when {@link #inMemory(String)}.
     */
    public Path file()
    {
        return file;
    }

    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * @return a new counter labelled {@code label}, of type {@code typeId}.
     */
    public AtomicCounter newCounter(final String label, final int typeId)
    {
        return countersManager.newCounter(label, typeId);
    }

    /**
     * @return the {@code errors} counter: how many errors {@link #onError(Throwable)} recorded.
     */
    public AtomicCounter errors()
    {
        return errors;
    }

    /**
     * Counts an error and records it in the distinct error log (the same stack trace is counted, not stored
     * again). Any thread.
     */
    @Override
    public void onError(final Throwable error)
    {
        errors.increment();
        errorLog.record(error);
    }

    /**
     * @return true once {@link #close()} ran.
     */
    public boolean isClosed()
    {
        return header.getIntVolatile(CLOSED_OFFSET) == 1;
    }

    /**
     * Marks the file closed; its values stay readable.
     */
    @Override
    public void close()
    {
        header.putIntVolatile(CLOSED_OFFSET, 1);
        if (mapping instanceof MappedByteBuffer)
        {
            ((MappedByteBuffer)mapping).force(0, HEADER_LENGTH);
        }
    }
}
