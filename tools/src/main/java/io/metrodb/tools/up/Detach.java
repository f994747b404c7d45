package io.metrodb.tools.up;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code up --detach}: starts {@code up} again as a background process of its own session (same Java, same JVM
 * options and classpath), its output in {@code <dir>/up.log}, then echoes that log until the {@code ready} line
 * and returns, leaving it running.
 */
final class Detach
{
    private static final long FOLLOW_POLL_MS = 100;
    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules";

    private Detach()
    {
    }

    /**
     * @param home the cluster directory
     * @param args the {@code up} arguments, without {@code --detach}
     * @return 0 once the background {@code up} printed {@code ready}, 1 when it exited or did not get there.
     */
    static int run(final Path home, final List<String> args, final PrintStream out)
        throws IOException, InterruptedException
    {
        final Path log = home.resolve(UpCommand.UP_LOG);
        Files.deleteIfExists(log);
        final List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid")))
        {
            command.add("/usr/bin/setsid");
        }
        command.add(Launcher.javaBinary());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Launcher.TOOLS_MAIN);
        command.addAll(args);
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();

        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UpCommand.START_TIMEOUT_MS + 10_000);
        final StringBuilder pending = new StringBuilder();
        long offset = 0;
        while (true)
        {
            final boolean exited = !process.isAlive();
            offset = follow(log, offset, pending, out);
            final int ready = pending.indexOf("\n" + UpCommand.READY + ":");
            if (ready >= 0 || pending.indexOf(UpCommand.READY + ":") == 0)
            {
                out.println("metrodb up: running in the background (pid " + process.pid() + "); its log: " + log +
                    "; status: metrodb status --dir " + home + "; stop: metrodb down --dir " + home);
                return 0;
            }
            if (exited)
            {
                out.println("metrodb up: the background up exited (exit " + process.exitValue() + "); its log: " + log);
                return 1;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                out.println("metrodb up: not ready yet; still starting in the background (pid " + process.pid() +
                    "); its log: " + log);
                return 1;
            }
            process.onExit().completeOnTimeout(process, FOLLOW_POLL_MS, TimeUnit.MILLISECONDS).join();
        }
    }

    /**
     * Prints the whole lines appended to {@code log} since {@code offset}, keeping them in {@code seen}.
     *
     * @return the new offset.
     */
    private static long follow(final Path log, final long offset, final StringBuilder seen, final PrintStream out)
        throws IOException
    {
        if (!Files.isRegularFile(log))
        {
            return offset;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r"))
        {
            final long length = file.length();
            if (length <= offset)
            {
                return offset;
            }
            final byte[] bytes = new byte[(int)Math.min(length - offset, 1 << 20)];
            file.seek(offset);
            file.readFully(bytes);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n')
            {
                end--;
            }
            if (end == 0)
            {
                return offset;
            }
            final String lines = new String(bytes, 0, end, StandardCharsets.UTF_8);
            for (final String line : lines.split("\n"))
            {
                // Java 17 announces its incubator module on every start (bin/metrodb filters it the same way).
                if (!line.startsWith(INCUBATOR_WARNING))
                {
                    out.println(line);
                }
            }
            out.flush();
            seen.append(lines);
            return offset + end;
        }
    }
}
