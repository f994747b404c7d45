package io.metrodb.tools.chaos;

import io.metrodb.protocol.fault.LinkProxy;
import io.metrodb.tools.up.Launcher;
import io.metrodb.tools.up.MondProbe;
import io.metrodb.tools.up.NodeSpec;
import io.metrodb.tools.up.ProcessSpec;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster under chaos: 3 logds, 3 peer mapds at RF 2 and mond, each daemon a process of its own (so each can be
 * killed alone), on loopback ports picked free at start and kept across restarts, data in {@code <dir>/<node>} and
 * output in {@code <dir>/<node>.log} (appended across restarts). Each mapd reaches each logd through a
 * {@link LinkProxy} of its own (the link that can be cut); mapds reach each other and mond reaches every node
 * directly.
 */
final class ChaosCluster implements AutoCloseable
{
    static final String HOST = "127.0.0.1";
    static final int LOGDS = 3;
    static final int MAPDS = 3;
    static final int RF = 2;
    private static final long STOP_WAIT_MS = 10_000;
    /**
     * JVM options of every daemon, before {@code $METRODB_JAVA_OPTS} (which can override them): the JIT's first tier
     * only and the serial collector. Seven JVMs restarted every few seconds spend most of their CPU starting; with
     * these a daemon starts on about half the CPU, and the run checks correctness, not peak speed.
     */
    static final List<String> DAEMON_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xmx512m");
    private static final int CONNECT_TIMEOUT_MS = 200;

    /** One daemon process: its node, and the process running it while it runs. */
    static final class Daemon
    {
        final NodeSpec node;
        Process process;

        Daemon(final NodeSpec node)
        {
            this.node = node;
        }

        String name()
        {
            return node.name();
        }

        boolean running()
        {
            return process != null && process.isAlive();
        }
    }

    private final Path dir;
    private final Launcher launcher;
    final List<Daemon> logds = new ArrayList<>();
    final List<Daemon> mapds = new ArrayList<>();
    final Daemon mond;
    /** links[m][l]: mapd m's link to logd l. */
    final LinkProxy[][] links = new LinkProxy[MAPDS][LOGDS];
    private final Thread shutdownHook;

    /**
     * Picks the ports and starts the proxies; {@link #startAll} starts the daemons.
     *
     * @param dir      the cluster's directory.
     * @param launcher builds each daemon's command line.
     */
    ChaosCluster(final Path dir, final Launcher launcher) throws IOException
    {
        this.dir = dir;
        this.launcher = launcher;
        final int[] logdPorts = new int[LOGDS];
        final int[] mapdPorts = new int[MAPDS];
        final List<String> logdAddresses = new ArrayList<>();
        final List<String> mapdAddresses = new ArrayList<>();
        try
        {
            for (int l = 0; l < LOGDS; l++)
            {
                logdPorts[l] = freePort();
                logdAddresses.add(HOST + ":" + logdPorts[l]);
            }
            for (int m = 0; m < MAPDS; m++)
            {
                mapdPorts[m] = freePort();
                mapdAddresses.add(HOST + ":" + mapdPorts[m]);
            }
            for (int m = 0; m < MAPDS; m++)
            {
                for (int l = 0; l < LOGDS; l++)
                {
                    links[m][l] = new LinkProxy("mapd" + (m + 1) + "->logd" + (l + 1), HOST, logdPorts[l]);
                }
            }
        }
        catch (final IOException e)
        {
            closeLinks();
            throw e;
        }
        for (int l = 0; l < LOGDS; l++)
        {
            final Path nodeDir = dir.resolve("logd" + (l + 1));
            logds.add(new Daemon(new NodeSpec("logd" + (l + 1), NodeSpec.LOGD, logdPorts[l], nodeDir, List.of(
                "--dir", nodeDir.toString(), "--host", HOST, "--port", Integer.toString(logdPorts[l]),
                "--node-id", Integer.toString(l + 1), "--segment-size", "32m", "--max-entry", "1m"), "logd", 0)));
        }
        for (int m = 0; m < MAPDS; m++)
        {
            final Path nodeDir = dir.resolve("mapd" + (m + 1));
            final List<String> viaLinks = new ArrayList<>();
            for (int l = 0; l < LOGDS; l++)
            {
                viaLinks.add(HOST + ":" + links[m][l].port());
            }
            final List<String> peers = new ArrayList<>(mapdAddresses);
            peers.remove(m);
            mapds.add(new Daemon(new NodeSpec("mapd" + (m + 1), NodeSpec.MAPD, mapdPorts[m], nodeDir, List.of(
                "--dir", nodeDir.toString(), "--host", HOST, "--port", Integer.toString(mapdPorts[m]),
                "--node-id", Integer.toString(11 + m), "--rf", Integer.toString(RF), "--max-value", "256k",
                "--logds", String.join(",", viaLinks), "--peers", String.join(",", peers)), "mapd", 0)));
        }
        final int mondPort = freePort();
        final Path mondDir = dir.resolve("mond");
        mond = new Daemon(new NodeSpec("mond", NodeSpec.MOND, mondPort, mondDir, List.of(
            "--dir", mondDir.toString(), "--host", HOST, "--port", Integer.toString(mondPort),
            "--mapds", String.join(",", mapdAddresses), "--logds", String.join(",", logdAddresses)), "mond", 0));
        shutdownHook = new Thread(this::killAll, "chaos-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * @return every daemon: logds, mapds, mond.
     */
    List<Daemon> daemons()
    {
        final List<Daemon> all = new ArrayList<>(logds);
        all.addAll(mapds);
        all.add(mond);
        return all;
    }

    List<String> mapdAddresses()
    {
        final List<String> addresses = new ArrayList<>();
        for (final Daemon mapd : mapds)
        {
            addresses.add(mapd.node.endpoint());
        }
        return addresses;
    }

    Path logFile(final Daemon daemon)
    {
        return dir.resolve(daemon.name() + ".log");
    }

    /**
     * Starts every daemon (logds first) and waits until each listens.
     */
    void startAll(final long deadlineNs) throws IOException, InterruptedException
    {
        for (final Daemon logd : logds)
        {
            start(logd);
        }
        for (final Daemon logd : logds)
        {
            awaitListening(logd, deadlineNs);
        }
        for (final Daemon mapd : mapds)
        {
            start(mapd);
        }
        start(mond);
        for (final Daemon daemon : daemons())
        {
            awaitListening(daemon, deadlineNs);
        }
    }

    /**
     * Starts a daemon that is not running, on its directory and port.
     */
    synchronized void start(final Daemon daemon) throws IOException
    {
        if (daemon.running())
        {
            return;
        }
        Files.createDirectories(dir);
        final List<String> command =
            new ArrayList<>(launcher.command(new ProcessSpec(daemon.name(), List.of(daemon.node))));
        command.addAll(1, DAEMON_JVM_OPTIONS);
        daemon.process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(daemon).toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    }

    /**
     * {@code kill -9} of a daemon, waiting for it to be gone.
     *
     * @return its pid.
     */
    synchronized long kill(final Daemon daemon) throws InterruptedException
    {
        final Process process = daemon.process;
        if (process == null)
        {
            return -1;
        }
        process.destroyForcibly();
        process.waitFor();
        return process.pid();
    }

    /**
     * Waits until a daemon accepts connections, restarting it if it exited (a port not yet free after a kill).
     *
     * @throws IOException when it does not listen by the deadline, with the end of its log.
     */
    void awaitListening(final Daemon daemon, final long deadlineNs) throws IOException, InterruptedException
    {
        while (!listening(daemon.node.port()))
        {
            if (!daemon.running())
            {
                start(daemon);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                final boolean dumped = daemon.running() && threadDump(daemon);
                throw new IOException(daemon.name() + " does not listen on " + daemon.node.endpoint() + " (" +
                    (daemon.running() ? "running, pid " + daemon.process.pid() : "not running") + ")" +
                    (dumped ? "; its threads are dumped in " + logFile(daemon) : "") + "; the end of " +
                    logFile(daemon) + ":\n" + tail(logFile(daemon), 15));
            }
            Thread.sleep(50);
        }
    }

    /**
     * Has a daemon that is stuck print its threads to its log ({@code kill -QUIT}: the JVM's thread dump).
     *
     * @return whether the signal was sent.
     */
    private static boolean threadDump(final Daemon daemon) throws InterruptedException
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(daemon.process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                return false;
            }
            // The JVM writes the dump asynchronously; a moment for it to reach the log before the log is read.
            Thread.sleep(1_000);
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    /**
     * @return what mond's INFO says, or null when mond cannot be asked.
     */
    MondProbe.Health health()
    {
        try
        {
            return MondProbe.health(HOST, mond.node.port(), 2_000);
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    void healLinks()
    {
        for (final LinkProxy[] row : links)
        {
            for (final LinkProxy link : row)
            {
                link.heal();
            }
        }
    }

    /**
     * @return whether the daemon accepts connections.
     */
    boolean listening(final Daemon daemon)
    {
        return listening(daemon.node.port());
    }

    private static boolean listening(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(HOST, port), CONNECT_TIMEOUT_MS);
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    static String tail(final Path file, final int lines)
    {
        try
        {
            final List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException e)
        {
            return "(" + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST)))
        {
            return socket.getLocalPort();
        }
    }

    private void killAll()
    {
        for (final Daemon daemon : daemons())
        {
            if (daemon.process != null)
            {
                daemon.process.destroyForcibly();
            }
        }
    }

    private void closeLinks()
    {
        for (final LinkProxy[] row : links)
        {
            for (final LinkProxy link : row)
            {
                if (link != null)
                {
                    link.close();
                }
            }
        }
    }

    /**
     * Stops every daemon with SIGTERM (mond, the mapds, then the logds), SIGKILL for any left after 10 s, and
     * closes the proxies.
     */
    @Override
    public void close()
    {
        final List<Daemon> order = new ArrayList<>();
        order.add(mond);
        order.addAll(mapds);
        order.addAll(logds);
        for (final Daemon daemon : order)
        {
            if (daemon.running())
            {
                daemon.process.destroy();
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
        for (final Daemon daemon : order)
        {
            if (daemon.process == null)
            {
                continue;
            }
            try
            {
                final long left = Math.max(0, deadline - System.nanoTime());
                if (!daemon.process.waitFor(left, TimeUnit.NANOSECONDS))
                {
                    daemon.process.destroyForcibly();
                    daemon.process.waitFor(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
                }
            }
            catch (final InterruptedException e)
            {
                daemon.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        closeLinks();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException e)
        {
            // the JVM is already shutting down: the hook runs
        }
    }
}
