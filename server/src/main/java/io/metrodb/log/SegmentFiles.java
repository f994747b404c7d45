package io.metrodb.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Names of the files in a log directory: {@code 0000000000.seg}, {@code 0000000001.seg}, ..., {@code checkpoint}.
 */
final class SegmentFiles
{
    static final String SEGMENT_SUFFIX = ".seg";
    static final String TEMP_SUFFIX = ".tmp";
    static final String LOCK_FILE = "logd.lock";

    private SegmentFiles()
    {
    }

    static Path segmentPath(final Path directory, final int index)
    {
        return directory.resolve(String.format("%010d%s", index, SEGMENT_SUFFIX));
    }

    static Path tempPath(final Path directory, final int index)
    {
        return directory.resolve(String.format("%010d%s%s", index, SEGMENT_SUFFIX, TEMP_SUFFIX));
    }

    /**
     * @return indices of the segment files present, ascending.
     */
    static List<Integer> listSegments(final Path directory) throws IOException
    {
        final List<Integer> indices = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + SEGMENT_SUFFIX))
        {
            for (final Path path : stream)
            {
                final String name = path.getFileName().toString();
                final String digits = name.substring(0, name.length() - SEGMENT_SUFFIX.length());
                if (digits.length() == 10 && digits.chars().allMatch(Character::isDigit))
                {
                    indices.add(Integer.parseInt(digits));
                }
            }
        }
        Collections.sort(indices);
        return indices;
    }

    /**
     * Remove half-created files left by a crash during segment creation or checkpointing.
     */
    static void deleteTempFiles(final Path directory) throws IOException
    {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + TEMP_SUFFIX))
        {
            for (final Path path : stream)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * fsync the directory so a created, renamed or deleted file survives a crash.
     */
    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
