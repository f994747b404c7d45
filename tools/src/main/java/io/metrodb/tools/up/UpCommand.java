package io.metrodb.tools.up;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code metrodb up}: starts a local cluster on loopback as child processes, one per host (the i-th logd and mapd,
 * mond on host1) and the REST gateway in this JVM, prints each endpoint, then {@code ready} once mond sees every
 * node UP, and supervises it until Ctrl-C or SIGTERM, which stops every node. {@code --detach} runs the same in the
 * background.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Starts a local cluster on 127.0.0.1 (logds, peered mapds, mond, the REST gateway), prints each endpoint, " +
            "then a line with 'ready' once mond sees every node UP, and supervises it. Each host<i> is one JVM " +
            "running the i-th logd and mapd (host1 runs mond too), as on a 3-host install; a host that exits is " +
            "restarted with backoff. The gateway runs in up. Ctrl-C or SIGTERM stops every node. Data and logs: " +
            "under --dir; the next up on the same --dir finds the data."
    })
public final class UpCommand implements Callable<Integer>
{
    static final long START_TIMEOUT_MS = 120_000;
    static final long READY_POLL_MS = 100;
    static final int PROBE_TIMEOUT_MS = 2_000;
    static final String READY = "ready";
    static final String UP_PID = "up.pid";
    static final String UP_LOG = "up.log";
    static final String CDS_DIR = "cds";

    @Option(names = "--dir", defaultValue = "./data", paramLabel = "DIR",
        description = "Cluster directory: logd1.., mapd1.., mond/, each node's <name>.log and <name>.pid. " +
            "Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--logds", defaultValue = "3", paramLabel = "N", description = "Number of logds. Default: 3.")
    int logds;

    @Option(names = "--mapds", defaultValue = "3", paramLabel = "N", description = "Number of mapds. Default: 3.")
    int mapds;

    @Option(names = "--rf", defaultValue = "2", paramLabel = "N", description = "Replication factor. Default: 2.")
    int rf;

    @Option(names = "--base-port", defaultValue = "" + ClusterLayout.DEFAULT_BASE_PORT, paramLabel = "B",
        description = "First mapd port; every port shifts by B-7550: mapds B.., logds B+8.., mond B+20, " +
            "gateway B-470. Default: ${DEFAULT-VALUE}.")
    int basePort;

    @Option(names = "--no-gateway", description = "Do not start the REST gateway.")
    boolean noGateway;

    @Option(names = "--detach", description = "Run in the background (log in <dir>/up.log, pid in <dir>/up.pid); " +
        "returns once ready. Stop it with: metrodb down --dir DIR.")
    boolean detach;

    @Option(names = "--server-jar", paramLabel = "JAR",
        description = "The server jar the daemons run from. Default: server/target/metrodb-server.jar of this " +
            "checkout.")
    Path serverJar;

    @Option(names = "--classpath-launch",
        description = "Start the daemons from this JVM's classpath (io.metrodb.cli.Main) instead of the jars " +
            "(tests, an IDE). The default when there is no server jar.")
    boolean classpathLaunch;

    @Option(names = "--no-cds", description = "Start the JVMs without class-data sharing archives (kept in " +
        "<dir>/cds: the first run of each role writes one on exit; later starts take about a third less CPU).")
    boolean noCds;

    @Option(names = "--detached", hidden = true, description = "Set by --detach on the up it starts.")
    boolean detached;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintStream out = System.out;
        final Path home = dir.toAbsolutePath().normalize();
        final List<NodeSpec> nodes = ClusterLayout.nodes(home, logds, mapds, rf, basePort, !noGateway,
            mapdExtraArgs());
        final String running = RunDir.runningUp(home);
        if (running != null)
        {
            return fail("already running in " + home + " (pid " + running + "); stop it with: metrodb down --dir " +
                home);
        }
        final String taken = takenPort(nodes, home);
        if (taken != null)
        {
            return fail(taken);
        }
        final Launcher launcher = launcher(home);
        Files.createDirectories(home);
        if (detach)
        {
            return Detach.run(home, detachedArgs(), out);
        }

        Files.writeString(home.resolve(UP_PID), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        RunDir.writeEndpoints(home, nodes);
        out.println("metrodb up: " + home + " (daemons from " + launcher.describe() + ")");
        final Supervisor supervisor = new Supervisor(home, launcher, ClusterLayout.processes(nodes), out);
        final InProcessGateway gateway = new InProcessGateway(home, find(nodes, NodeSpec.GATEWAY));
        final Thread hook = new Thread(() ->
        {
            out.println("metrodb up: stopping");
            gateway.close();
            supervisor.stop();
            RunDir.removeUpFiles(home);
            out.println("metrodb up: stopped");
        }, "metrodb-up-stop");
        Runtime.getRuntime().addShutdownHook(hook);

        final long startNs = System.nanoTime();
        // The gateway starts while the hosts do: its client connects to each mapd once it listens (retrying every
        // half second at most), so it is ready with them instead of a few hundred milliseconds after.
        final CompletableFuture<Void> gatewayStarted = new CompletableFuture<>();
        final Thread gatewayStarter = new Thread(() -> gateway.startInto(gatewayStarted), "metrodb-up-gateway");
        gatewayStarter.start();
        try
        {
            supervisor.startAll(startNs + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS));
            InProcessGateway.await(gatewayStarted);
        }
        catch (final IOException | UncheckedIOException | IllegalStateException e)
        {
            out.println("metrodb up: " + e.getMessage());
            out.println("metrodb up: failed; stopping what started");
            return 1; // the shutdown hook stops the rest
        }
        for (final NodeSpec node : nodes)
        {
            out.printf("%-8s %-8s %-16s %s%n", node.name(), node.role(), node.endpoint(),
                ClusterLayout.UP_PROCESS.equals(node.process()) ? "in this process (up)" :
                    "log " + Supervisor.logFile(home, node.process()));
        }
        // Supervising from here on: a node that dies while mond is being asked is restarted too.
        final Thread supervising = new Thread(() ->
        {
            try
            {
                supervisor.superviseUntilStopped();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }, "metrodb-up-supervisor");
        supervising.start();
        final NodeSpec mond = find(nodes, NodeSpec.MOND); // ClusterLayout always has one
        final int expected = logds + mapds;
        final long readyDeadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        MondProbe.Health health = null;
        while (System.nanoTime() - readyDeadlineNs < 0)
        {
            try
            {
                health = MondProbe.health(ClusterLayout.HOST, mond.port(), PROBE_TIMEOUT_MS);
                if (health.nodes() == expected && health.up() == expected)
                {
                    break;
                }
            }
            catch (final IOException e)
            {
                health = null;
            }
            Thread.sleep(READY_POLL_MS); // a poll of another process; nothing to wait on in this one
        }
        if (health != null && health.up() == expected)
        {
            out.printf("%s: mond sees %d of %d nodes UP after %.1f s; mapds at %s; %s stops it%n", READY,
                health.up(), expected, (System.nanoTime() - startNs) / 1e9, mapdList(nodes),
                detached ? "metrodb down --dir " + home : "Ctrl-C");
        }
        else
        {
            out.println("metrodb up: not ready: mond sees " + (health == null ? "?" : health.up()) + " of " +
                expected + " nodes UP after " + START_TIMEOUT_MS / 1000 + " s; see the logs in " + home);
        }
        supervising.join();
        return 0;
    }

    private int fail(final String message)
    {
        spec.commandLine().getErr().println("metrodb up: " + message);
        return 1;
    }

    private Launcher launcher(final Path home)
    {
        final Path jar = serverJar != null ? serverJar : Jars.serverJar();
        if (!classpathLaunch && jar != null && Files.isRegularFile(jar))
        {
            return new Launcher(jar.toAbsolutePath(), System.getProperty("java.class.path"),
                noCds ? null : home.resolve(CDS_DIR));
        }
        if (serverJar != null && !classpathLaunch)
        {
            throw new IllegalArgumentException("--server-jar " + serverJar + ": no such file");
        }
        if (!Jars.hasClass(Launcher.SERVER_MAIN))
        {
            throw new IllegalArgumentException("no server jar (build it: mvn -o -q package -DskipTests -pl " +
                "server,tools -am) and no " + Launcher.SERVER_MAIN + " on the classpath");
        }
        return new Launcher(null, System.getProperty("java.class.path"), null);
    }

    /**
     * @return the first port of {@code nodes} that cannot be bound on loopback, as a message, or null.
     */
    static String takenPort(final List<NodeSpec> nodes, final Path home)
    {
        for (final NodeSpec node : nodes)
        {
            try (ServerSocket socket = new ServerSocket())
            {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(ClusterLayout.HOST, node.port()));
            }
            catch (final IOException e)
            {
                final String stale = RunDir.livePid(home, node.name());
                return "port " + node.port() + " (" + node.name() + ") is already in use" + (stale == null ? "" :
                    " by pid " + stale + ", a " + node.name() + " left from an earlier up (metrodb down --dir " +
                    home + " stops it)") + "; nothing started (--base-port moves every port)";
            }
        }
        return null;
    }

    /**
     * @return the first node of {@code role}, or null.
     */
    private static NodeSpec find(final List<NodeSpec> nodes, final String role)
    {
        for (final NodeSpec node : nodes)
        {
            if (node.role().equals(role))
            {
                return node;
            }
        }
        return null;
    }

    private static String mapdList(final List<NodeSpec> nodes)
    {
        final List<String> mapds = new ArrayList<>();
        for (final NodeSpec node : nodes)
        {
            if (NodeSpec.MAPD.equals(node.role()))
            {
                mapds.add(node.endpoint());
            }
        }
        return String.join(",", mapds);
    }

    /**
     * {@code $METRODB_MAPD_ARGS}, split on spaces: options added to every mapd (as {@code bin/cluster} had).
     */
    private static List<String> mapdExtraArgs()
    {
        final String extra = System.getenv("METRODB_MAPD_ARGS");
        return extra == null || extra.isBlank() ? List.of() : Arrays.asList(extra.trim().split("\\s+"));
    }

    private List<String> detachedArgs()
    {
        final List<String> args = new ArrayList<>(List.of("up", "--detached",
            "--dir", dir.toAbsolutePath().normalize().toString(),
            "--logds", Integer.toString(logds), "--mapds", Integer.toString(mapds), "--rf", Integer.toString(rf),
            "--base-port", Integer.toString(basePort)));
        if (noGateway)
        {
            args.add("--no-gateway");
        }
        if (serverJar != null)
        {
            args.add("--server-jar");
            args.add(serverJar.toAbsolutePath().toString());
        }
        if (classpathLaunch)
        {
            args.add("--classpath-launch");
        }
        if (noCds)
        {
            args.add("--no-cds");
        }
        return args;
    }
}
