package io.metrodb.server.counters;

import org.agrona.concurrent.status.CountersReader;

/**
 * The layout of a counters file ({@code counters.dat}): a header, then the counters' metadata buffer, their
 * values buffer and a distinct error log.
 * <pre>
 *   0  magic            int   (written last, with release: a reader that sees it sees the rest)
 *   4  layout version   int
 *   8  pid              long
 *  16  start time (ms)  long
 *  24  closed           int   (1 once the daemon stopped)
 *  28  metadata length  int
 *  32  values length    int
 *  36  error log length int
 *  40  kind length      int, then up to 24 ASCII bytes (logd, mapd, mond)
 * 128  metadata buffer, values buffer, error log buffer
 * </pre>
 */
public final class CountersLayout
{
    /** The file each daemon keeps in its directory. */
    public static final String FILE_NAME = "counters.dat";
    /** "MDBC". */
    public static final int MAGIC = 0x4D444243;
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int PID_OFFSET = 8;
    public static final int START_TIME_OFFSET = 16;
    public static final int CLOSED_OFFSET = 24;
    public static final int METADATA_LENGTH_OFFSET = 28;
    public static final int VALUES_LENGTH_OFFSET = 32;
    public static final int ERROR_LOG_LENGTH_OFFSET = 36;
    public static final int KIND_OFFSET = 40;
    public static final int MAX_KIND_LENGTH = 24;
    public static final int HEADER_LENGTH = 128;

    /** Counters a file holds at most: every daemon has fewer than 100 today. */
    public static final int MAX_COUNTERS = 256;
    public static final int METADATA_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
    public static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;
    public static final int ERROR_LOG_LENGTH = 256 * 1024;
    public static final int FILE_LENGTH = HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH + ERROR_LOG_LENGTH;

    private CountersLayout()
    {
    }

    /**
     * @return offset of the metadata buffer.
     */
    public static int metadataOffset()
    {
        return HEADER_LENGTH;
    }

    /**
     * @return offset of the values buffer after a metadata buffer of this length.
     */
    public static int valuesOffset(final int metadataLength)
    {
        return HEADER_LENGTH + metadataLength;
    }

    /**
     * @return offset of the error log after buffers of these lengths.
     */
    public static int errorLogOffset(final int metadataLength, final int valuesLength)
    {
        return HEADER_LENGTH + metadataLength + valuesLength;
    }
}
