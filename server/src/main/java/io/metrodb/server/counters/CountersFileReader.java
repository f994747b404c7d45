package io.metrodb.server.counters;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorConsumer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.metrodb.server.counters.CountersLayout.*;

/**
 * Reads a counters file from outside the daemon that writes it: mapped read-only, so reading never writes the
 * file, and safe while the daemon runs (values are read with acquire semantics).
 */
public final class CountersFileReader implements AutoCloseable
{
    private final Path file;
    private final MappedByteBuffer mapping;
    private final AtomicBuffer header;
    private final CountersReader counters;
    private final AtomicBuffer errorLog;
    private final String kind;

    private CountersFileReader(final Path file, final MappedByteBuffer mapping)
    {
        this.file = file;
        this.mapping = mapping;
        header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        if (header.getIntVolatile(MAGIC_OFFSET) != MAGIC)
        {
            throw new IllegalStateException(file + " is not a counters file (or not ready yet)");
        }
        final int version = header.getInt(VERSION_OFFSET);
        if (version != VERSION)
        {
            throw new IllegalStateException(file + ": layout version " + version + ", this reader knows " + VERSION);
        }
        final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        final int errorLogLength = header.getInt(ERROR_LOG_LENGTH_OFFSET);
        if (HEADER_LENGTH + (long)metadataLength + valuesLength + errorLogLength > mapping.capacity())
        {
            throw new IllegalStateException(file + " is shorter than its header says");
        }
        final byte[] kindBytes = new byte[Math.min(MAX_KIND_LENGTH, Math.max(0, header.getInt(KIND_OFFSET)))];
        header.getBytes(KIND_OFFSET + Integer.BYTES, kindBytes);
        kind = new String(kindBytes, StandardCharsets.US_ASCII);
        counters = new CountersReader(
            new UnsafeBuffer(mapping, metadataOffset(), metadataLength),
            new UnsafeBuffer(mapping, valuesOffset(metadataLength), valuesLength),
            StandardCharsets.US_ASCII);
        errorLog = new UnsafeBuffer(mapping, errorLogOffset(metadataLength, valuesLength), errorLogLength);
    }

    /**
     * Maps {@code file} read-only.
     *
     * @throws IllegalStateException when it is not a counters file of this layout.
     */
    public static CountersFileReader open(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH)
            {
                throw new IllegalStateException(file + " is not a counters file (" + size + " bytes)");
            }
            return new CountersFileReader(file, channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Path file()
    {
        return file;
    }

    /**
     * @return what wrote the file: logd, mapd, mond.
     */
    public String kind()
    {
        return kind;
    }

    public long pid()
    {
        return header.getLong(PID_OFFSET);
    }

    public long startTimeMs()
    {
        return header.getLong(START_TIME_OFFSET);
    }

    /**
     * @return true when the daemon stopped cleanly.
     */
    public boolean isClosed()
    {
        return header.getIntVolatile(CLOSED_OFFSET) == 1;
    }

    /**
     * @return true when the file is not marked closed and its process is alive (a crashed daemon reads false; so
     * does a process that reuses its pid, started after the file was).
     */
    public boolean isRunning()
    {
        if (isClosed())
        {
            return false;
        }
        final long startMs = startTimeMs();
        return ProcessHandle.of(pid()).filter(ProcessHandle::isAlive)
            .map(process -> process.info().startInstant().map(at -> at.toEpochMilli() <= startMs).orElse(true))
            .orElse(false);
    }

    /**
     * Visits every allocated counter in id order.
     */
    public void forEach(final CountersReader.MetaData consumer)
    {
        counters.forEach(consumer);
    }

    /**
     * @return the value of the counter labelled {@code label}, or {@code missing} when there is none.
     */
    public long value(final String label, final long missing)
    {
        final long[] found = {missing};
        counters.forEach((counterId, typeId, keyBuffer, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                found[0] = counters.getCounterValue(counterId);
            }
        });
        return found[0];
    }

    /**
     * @return the value of counter {@code counterId}.
     */
    public long value(final int counterId)
    {
        return counters.getCounterValue(counterId);
    }

    /**
     * Visits each distinct error recorded: count, first and last time (epoch ms), the stack trace.
     *
     * @return how many distinct errors there were.
     */
    public int readErrors(final ErrorConsumer consumer)
    {
        return ErrorLogReader.read(errorLog, consumer);
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapping);
    }
}
