package io.metrodb.tools.chaos;

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
 * killed alone), data in {@code <dir>/<node>} and output in {@code <dir>/<node>.log} (appended across restarts).
 * Where namespaces can be used ({@link NetnsNetwork}), each daemon is a host of its own on the default port of its
 * kind, and a mapd's link to a logd is cut in the network's router. Otherwise every daemon is on loopback, on a
 * port picked free at start and kept across restarts, and each mapd reaches each logd through a {@link ProxyLink}
 * of its own (the link that can be cut). Mapds reach each other, and mond every node, directly.
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

    /** One daemon process: its node, its address, and the process running it while it runs. */
    static final class Daemon
    {
        final NodeSpec node;
        final String host;
        Process process;

        Daemon(final NodeSpec node, final String host)
        {
            this.node = node;
            this.host = host;
        }

        /**
         * @return host:port.
         */
        String endpoint()
        {
            return host + ":" + node.port();
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

    private static final int LOGD_PORT = 7558;
    private static final int MAPD_PORT = 7550;
    private static final int MOND_PORT = 7570;

    private final Path dir;
    private final Launcher launcher;
    /** The hosts' network, or null: every daemon on loopback, links through proxies. */
    private final NetnsNetwork network;
    final List<Daemon> logds = new ArrayList<>();
    final List<Daemon> mapds = new ArrayList<>();
    final Daemon mond;
    /** links[m][l]: mapd m's link to logd l. */
    final Link[][] links = new Link[MAPDS][LOGDS];
    private final Thread shutdownHook;

    /**
     * Picks the addresses and ports, and starts the proxies when there is no network; {@link #startAll} starts the
     * daemons.
     *
     * @param dir      the cluster's directory.
     * @param launcher builds each daemon's command line.
     * @param network  the hosts' network (one host per daemon, named after it: logd1..3, mapd1..3, mond), closed
     *                 with the cluster; or null for loopback and proxies.
     */
    ChaosCluster(final Path dir, final Launcher launcher, final NetnsNetwork network) throws IOException
    {
        this.dir = dir;
        this.launcher = launcher;
        this.network = network;
        final String[] logdHosts = new String[LOGDS];
        final int[] logdPorts = new int[LOGDS];
        final String[] mapdHosts = new String[MAPDS];
        final int[] mapdPorts = new int[MAPDS];
        final List<String> logdAddresses = new ArrayList<>();
        final List<String> mapdAddresses = new ArrayList<>();
        try
        {
            for (int l = 0; l < LOGDS; l++)
            {
                logdHosts[l] = host("logd" + (l + 1));
                logdPorts[l] = network != null ? LOGD_PORT : freePort();
                logdAddresses.add(logdHosts[l] + ":" + logdPorts[l]);
            }
            for (int m = 0; m < MAPDS; m++)
            {
                mapdHosts[m] = host("mapd" + (m + 1));
                mapdPorts[m] = network != null ? MAPD_PORT : freePort();
                mapdAddresses.add(mapdHosts[m] + ":" + mapdPorts[m]);
            }
            for (int m = 0; m < MAPDS; m++)
            {
                for (int l = 0; l < LOGDS; l++)
                {
                    links[m][l] = network != null ?
                        new NetnsLink(network, "mapd" + (m + 1), "logd" + (l + 1)) :
                        new ProxyLink("mapd" + (m + 1) + "->logd" + (l + 1), HOST, logdPorts[l]);
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
                "--dir", nodeDir.toString(), "--host", logdHosts[l], "--port", Integer.toString(logdPorts[l]),
                "--node-id", Integer.toString(l + 1), "--segment-size", "32m", "--max-entry", "1m"), "logd", 0),
                logdHosts[l]));
        }
        for (int m = 0; m < MAPDS; m++)
        {
            final Path nodeDir = dir.resolve("mapd" + (m + 1));
            final List<String> logdsSeen = new ArrayList<>();
            for (int l = 0; l < LOGDS; l++)
            {
                logdsSeen.add(network != null ? logdAddresses.get(l) : HOST + ":" + ((ProxyLink)links[m][l]).port());
            }
            final List<String> peers = new ArrayList<>(mapdAddresses);
            peers.remove(m);
            final List<String> args = new ArrayList<>(List.of("--dir", nodeDir.toString(), "--host", mapdHosts[m],
                "--port", Integer.toString(mapdPorts[m]), "--node-id", Integer.toString(11 + m), "--rf",
                Integer.toString(RF), "--max-value", "256k", "--logds", String.join(",", logdsSeen), "--peers",
                String.join(",", peers)));
            if (network != null)
            {
                // A host of its own: it reads the logds over the network, as it could not read another host's files.
                args.add("--local-reads=off");
            }
            mapds.add(new Daemon(new NodeSpec("mapd" + (m + 1), NodeSpec.MAPD, mapdPorts[m], nodeDir, args, "mapd",
                0), mapdHosts[m]));
        }
        final String mondHost = host("mond");
        final int mondPort = network != null ? MOND_PORT : freePort();
        final Path mondDir = dir.resolve("mond");
        mond = new Daemon(new NodeSpec("mond", NodeSpec.MOND, mondPort, mondDir, List.of(
            "--dir", mondDir.toString(), "--host", mondHost, "--port", Integer.toString(mondPort),
            "--mapds", String.join(",", mapdAddresses), "--logds", String.join(",", logdAddresses)), "mond", 0),
            mondHost);
        shutdownHook = new Thread(this::killAll, "chaos-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * @return the hosts of a cluster in a {@link NetnsNetwork}, by the names its daemons' hosts have.
     */
    static List<String> hostNames()
    {
        final List<String> names = new ArrayList<>();
        for (int l = 1; l <= LOGDS; l++)
        {
            names.add("logd" + l);
        }
        for (int m = 1; m <= MAPDS; m++)
        {
            names.add("mapd" + m);
        }
        names.add("mond");
        return names;
    }

    /**
     * @return how the daemons are connected, for the run's first lines.
     */
    String describeNetwork()
    {
        return network != null ? "each daemon a host of its own in " + network.describe() + "; links cut in its " +
            "router" : "every daemon on loopback; mapds reach logds through proxies, where links are cut";
    }

    private String host(final String name)
    {
        return network != null ? network.address(name) : HOST;
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
            addresses.add(mapd.endpoint());
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
        if (network != null)
        {
            // ip netns exec execs the daemon itself: the process is the JVM, and a kill -9 reaches it.
            command.addAll(0, network.exec(daemon.name()));
        }
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
        while (!listening(daemon))
        {
            if (!daemon.running())
            {
                start(daemon);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                final boolean dumped = daemon.running() && threadDump(daemon);
                throw new IOException(daemon.name() + " does not listen on " + daemon.endpoint() + " (" +
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
            return MondProbe.health(mond.host, mond.node.port(), 2_000);
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    void healLinks()
    {
        for (final Link[] row : links)
        {
            for (final Link link : row)
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
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(daemon.host, daemon.node.port()), CONNECT_TIMEOUT_MS);
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

    /**
     * The shutdown hook (an interrupted run): every daemon killed, then the network removed (a namespace's
     * processes would keep it in use).
     */
    private void killAll()
    {
        for (final Daemon daemon : daemons())
        {
            if (daemon.process != null)
            {
                daemon.process.destroyForcibly();
            }
        }
        if (network != null)
        {
            for (final Daemon daemon : daemons())
            {
                if (daemon.process != null)
                {
                    try
                    {
                        daemon.process.waitFor(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
                    }
                    catch (final InterruptedException e)
                    {
                        break;
                    }
                }
            }
            network.close();
        }
    }

    private void closeLinks()
    {
        for (final Link[] row : links)
        {
            for (final Link link : row)
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
     * closes the proxies (the network is its owner's to close).
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
