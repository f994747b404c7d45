package io.metrodb.log;

import io.metrodb.server.DaemonJvmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.payload;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrashRecoveryIT
{
    private static final int ACKS_BEFORE_KILL = 300;
    private static final int ROUNDS = 3;
    private static final String EOF = "EOF";

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedDurableAppendAcrossRepeatedKill9() throws Exception
    {
        final long seed = LogTestSupport.seed("shouldKeepEveryAcknowledgedDurableAppendAcrossRepeatedKill9");
        final Path log = dir.resolve("log");
        final Map<Long, Long> acknowledged = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            final int before = acknowledged.size();
            runChildAndKill(log, seed + round * 10_000_000_000L, round, acknowledged);
            System.out.println("round " + round + ": acknowledged before kill " + (acknowledged.size() - before));
        }

        final List<Long> offsets = new ArrayList<>(acknowledged.keySet());
        offsets.sort(null);
        try (LogStore store = LogStore.open(smallConfig(log)))
        {
            for (final long offset : offsets)
            {
                assertReadsBack(store, offset, payload(acknowledged.get(offset), CrashingAppender.MAX_PAYLOAD));
            }
            final long lastAcknowledged = offsets.get(offsets.size() - 1);
            assertTrue(store.tailPosition() > lastAcknowledged);
            for (int i = 0; i < 50; i++)
            {
                final byte[] bytes = payload(seed - i, 500);
                final long offset = store.appendDurableAndWait(bytes);
                assertTrue(offset > lastAcknowledged, LogResult.describe(offset));
                assertReadsBack(store, offset, bytes);
            }
        }
        assertEquals(LogVerifier.EXIT_OK, LogVerifier.run(log, System.out));
    }

    private void runChildAndKill(final Path log, final long seed, final int round, final Map<Long, Long> acknowledged)
        throws Exception
    {
        final Path stderr = dir.resolve("child-" + round + ".err");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx128m"));
        command.addAll(DaemonJvmOptions.forRunningJvm());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
            CrashingAppender.class.getName(), log.toString(), Long.toString(seed)));
        final Process child = new ProcessBuilder(command)
            .redirectError(stderr.toFile())
            .start();

        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread pump = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final Exception ignore)
            {
                // the child died mid-line; every complete line was queued
            }
            lines.add(EOF);
        });
        pump.start();

        int acksThisRound = 0;
        try
        {
            while (acksThisRound < ACKS_BEFORE_KILL)
            {
                final String line = lines.poll(30, TimeUnit.SECONDS);
                assertNotNull(line, "child too slow; stderr: " + Files.readString(stderr));
                if (EOF.equals(line))
                {
                    throw new AssertionError("child exited early; stderr: " + Files.readString(stderr));
                }
                acksThisRound += record(line, acknowledged);
            }
        }
        finally
        {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            pump.join(30_000);
        }
        assertEquals(137, child.exitValue(), "expected death by SIGKILL");

        String line;
        while (!EOF.equals(line = lines.poll(10, TimeUnit.SECONDS)))
        {
            assertNotNull(line);
            record(line, acknowledged);
        }
    }

    private static int record(final String line, final Map<Long, Long> acknowledged)
    {
        final String[] parts = line.split(" ");
        if (parts.length == 4 && "ACK".equals(parts[0]) && "END".equals(parts[3]))
        {
            assertNull(acknowledged.put(Long.parseLong(parts[1]), Long.parseLong(parts[2])), "offset given twice");
            return 1;
        }
        if (line.startsWith("ERROR"))
        {
            throw new AssertionError("child: " + line);
        }
        return 0;
    }
}
