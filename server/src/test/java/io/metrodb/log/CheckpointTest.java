package io.metrodb.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CheckpointTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripAndReplaceAtomically() throws Exception
    {
        final Checkpoint checkpoint = new Checkpoint(dir, 4096);
        assertEquals(Checkpoint.NONE, Checkpoint.read(dir, 4096));
        checkpoint.write(1024);
        checkpoint.write(4096 + 64);
        assertEquals(4096 + 64, Checkpoint.read(dir, 4096));
        assertFalse(Files.exists(dir.resolve(Checkpoint.TEMP_FILE_NAME)));
    }

    @Test
    void shouldTreatDamagedCheckpointAsMissing() throws Exception
    {
        new Checkpoint(dir, 4096).write(64);
        final Path file = dir.resolve(Checkpoint.FILE_NAME);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[17] ^= 1;
        Files.write(file, bytes);
        assertEquals(Checkpoint.NONE, Checkpoint.read(dir, 4096));
        Files.write(file, new byte[]{ 1, 2, 3 });
        assertEquals(Checkpoint.NONE, Checkpoint.read(dir, 4096));
    }

    @Test
    void shouldRejectCheckpointOfAnotherSegmentLength() throws Exception
    {
        new Checkpoint(dir, 4096).write(64);
        assertThrows(LogStoreException.class, () -> Checkpoint.read(dir, 8192));
    }
}
