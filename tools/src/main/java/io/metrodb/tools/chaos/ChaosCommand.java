package io.metrodb.tools.chaos;

import io.metrodb.tools.check.KeyReadings;

import io.metrodb.client.MetroClient;
import io.metrodb.tools.up.Jars;
import io.metrodb.tools.up.Launcher;
import io.metrodb.tools.up.MondProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code metrodb chaos}: starts a cluster of real daemon processes (3 logds, 3 mapds at RF 2, mond), writes to it
 * through the SDK while {@code kill -9}s and link cuts hit it, then lets it settle and checks every mapd against
 * what was acknowledged. See docs/RELIABILITY.md, "Chaos".
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Starts 3 logds, 3 mapds (RF 2) and mond as processes of their own: as root on Linux each in a network "
            + "namespace of its own behind a router namespace (--links netns), else on free loopback ports with "
            + "each mapd reaching each logd through a proxy of this process (--links proxy). Writer threads then "
            + "SETSAFE and SET keys of their own through the SDK (each value names its writer, sequence and key) "
            + "while a killer, for --seconds, kill -9s a random logd, mapd or mond, or cuts one mapd's link to one "
            + "logd (connections reset and new ones refused, or every packet dropped silently), and after a random "
            + "time restarts it on the same directory and port or heals the link. At most one logd is down or cut off at a time (RF 2 of 3 stays reachable) and at most one "
            + "mapd. Then the faults stop, the writers stop, and once mond sees every node UP, every key is read "
            + "from every mapd until they agree (or --settle-seconds pass).",
        "",
        "Exit 0 when no acknowledged SETSAFE is lost (every mapd returns it, or a later write of its key), no key "
            + "is divergent (the mapds answer alike), no value read is one nobody wrote and every read succeeded; "
            + "1 otherwise, or when the cluster does not settle; 2 when the cluster cannot be started. Lost "
            + "acknowledged SETs are reported, not failed: only SETSAFE is promised to survive a kill -9.",
        ""})
public final class ChaosCommand implements Callable<Integer>
{
    @Option(names = "--seconds", description = "How long faults are injected under load (default: "
        + "${DEFAULT-VALUE}).")
    long seconds = 60;

    @Option(names = "--seed", description = "Seed of the writers' and the killer's random choices (default: the "
        + "clock; printed).")
    Long seed;

    @Option(names = "--writers", description = "Writer threads (default: ${DEFAULT-VALUE}).")
    int writers = 4;

    @Option(names = "--keys-per-writer", description = "Keys each writer writes, picked at random for each write "
        + "(default: ${DEFAULT-VALUE}).")
    int keysPerWriter = 2_000;

    @Option(names = "--max-rate", description = "Most writes per second over all writers (default: "
        + "${DEFAULT-VALUE}).")
    int maxRate = 2_000;

    @Option(names = "--timeout-ms", description = "The client's request timeout (default: ${DEFAULT-VALUE}).")
    long timeoutMs = 5_000;

    @Option(names = "--min-interval-ms", description = "Least time between two faults (default: ${DEFAULT-VALUE}).")
    long minIntervalMs = 1_000;

    @Option(names = "--max-interval-ms", description = "Most time between two faults (default: ${DEFAULT-VALUE}).")
    long maxIntervalMs = 3_000;

    @Option(names = "--min-down-ms", description = "Least time a killed daemon stays down or a link cut "
        + "(default: ${DEFAULT-VALUE}).")
    long minDownMs = 200;

    @Option(names = "--max-down-ms", description = "Most time a killed daemon stays down or a link cut "
        + "(default: ${DEFAULT-VALUE}).")
    long maxDownMs = 4_000;

    @Option(names = "--settle-seconds", description = "Longest wait, once faults stop, for every daemon to listen, "
        + "mond to see every node UP, and the mapds to agree (default: ${DEFAULT-VALUE}).")
    long settleSeconds = 60;

    /** How links are cut. */
    enum Links
    {
        auto, netns, proxy
    }

    @Option(names = "--links", paramLabel = "auto|netns|proxy", description = "Where links are cut: netns (each "
        + "daemon a host of its own in a network namespace, cut in a router namespace: root and iproute2), proxy "
        + "(loopback; a TCP proxy per mapd-to-logd link), auto (netns where it can be used, else proxy, saying why; "
        + "default).")
    Links links = Links.auto;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory for the daemons' data and logs "
        + "(<node>/, <node>.log); must not hold a cluster (default: a new temporary directory, deleted after a "
        + "PASS).")
    Path dir;

    @Option(names = "--server-jar", paramLabel = "JAR", description = "The server jar the daemons run from "
        + "(default: server/target/metrodb-server.jar of this checkout, or lib/ of an installed tree).")
    Path serverJar;

    @Option(names = "--classpath-launch", description = "Start the daemons from this JVM's classpath "
        + "(io.metrodb.cli.Main) instead of the server jar: for tests.")
    boolean classpathLaunch;

    private PrintStream out = System.out;

    ChaosCommand output(final PrintStream stream)
    {
        this.out = stream;
        return this;
    }

    @Override
    public Integer call() throws Exception
    {
        if (seconds < 1 || writers < 1 || keysPerWriter < 1 || maxRate < writers || timeoutMs < 1 ||
            minIntervalMs < 1 || maxIntervalMs < minIntervalMs || minDownMs < 0 || maxDownMs < minDownMs ||
            settleSeconds < 1)
        {
            throw new IllegalArgumentException("--seconds, --writers, --keys-per-writer, --timeout-ms, " +
                "--settle-seconds and --min-interval-ms must be positive, --max-rate at least --writers, each max " +
                "at least its min");
        }
        final long runSeed = seed != null ? seed : System.nanoTime();
        final Launcher launcher = launcher();
        final boolean tempDir = dir == null;
        final Path root = tempDir ? Files.createTempDirectory("metrodb-chaos-") : dir.toAbsolutePath();
        if (!tempDir && Files.isDirectory(root.resolve("logd1")))
        {
            throw new IllegalArgumentException("--dir " + root + " already holds a cluster (logd1/): give a new one");
        }
        out.println("chaos: seed " + runSeed + " (--seed " + runSeed + " repeats the choices), " + seconds +
            " s of faults, dir " + root + ", daemons from " + launcher.describe());
        final int status;
        try (NetnsNetwork network = network())
        {
            try (ChaosCluster cluster = new ChaosCluster(root, launcher, network))
            {
                out.println("chaos: " + cluster.describeNetwork());
                status = run(cluster, runSeed);
            }
        }
        if (status == 0 && tempDir)
        {
            deleteTree(root);
        }
        else
        {
            out.println("chaos: data and logs kept in " + root);
        }
        return status;
    }

    /**
     * @return the namespaces for --links netns (or auto where they can be used), else null: proxies.
     */
    private NetnsNetwork network() throws IOException
    {
        if (links == Links.proxy)
        {
            return null;
        }
        final String unavailable = NetnsNetwork.unavailable();
        if (unavailable != null)
        {
            if (links == Links.netns)
            {
                throw new IllegalArgumentException("--links netns: " + unavailable);
            }
            out.println("chaos: links through proxies: network namespaces cannot be used: " + unavailable);
            return null;
        }
        try
        {
            return NetnsNetwork.create(ChaosCluster.hostNames());
        }
        catch (final IOException e)
        {
            if (links == Links.netns)
            {
                throw e;
            }
            out.println("chaos: links through proxies: network namespaces cannot be made: " + e.getMessage());
            return null;
        }
    }

    private Launcher launcher()
    {
        final Path jar = serverJar != null ? serverJar : Jars.serverJar();
        if (!classpathLaunch && jar != null && Files.isRegularFile(jar))
        {
            return new Launcher(jar.toAbsolutePath(), null, null);
        }
        if (serverJar != null && !classpathLaunch)
        {
            throw new IllegalArgumentException("--server-jar " + serverJar + ": no such file");
        }
        if (!Jars.hasClass(Launcher.SERVER_MAIN))
        {
            throw new IllegalArgumentException("no server jar (build it: mvn -B package -DskipTests -pl " +
                "server,tools -am) and no " + Launcher.SERVER_MAIN + " on the classpath");
        }
        return new Launcher(null, System.getProperty("java.class.path"), null);
    }

    private int run(final ChaosCluster cluster, final long runSeed) throws Exception
    {
        final long startNs = System.nanoTime();
        try
        {
            cluster.startAll(startNs + TimeUnit.SECONDS.toNanos(settleSeconds));
        }
        catch (final IOException e)
        {
            out.println("chaos: FAILED to start the cluster: " + e.getMessage());
            return 2;
        }
        final double listenS = (System.nanoTime() - startNs) / 1e9;
        final double upS = awaitAllUp(cluster, startNs + TimeUnit.SECONDS.toNanos(settleSeconds));
        if (upS < 0)
        {
            out.println("chaos: FAILED to start the cluster: mond does not see every node UP within " +
                settleSeconds + " s (" + cluster.health() + ")");
            return 2;
        }
        out.println(String.format(Locale.ROOT, "chaos: cluster listening after %.1f s, every node UP (mond) %.1f s " +
            "later: logds %s, mapds %s, mond %s", listenS, upS,
            endpoints(cluster.logds), String.join(",", cluster.mapdAddresses()), cluster.mond.endpoint()));

        final WriteLog log = new WriteLog();
        final String prefix = "chaos/" + Long.toHexString(runSeed) + "/";
        final Writers load;
        final Killer killer;
        final long loadNs;
        try (MetroClient client = MetroClient.builder(cluster.mapdAddresses().toArray(new String[0]))
            .requestTimeoutMs(timeoutMs).build())
        {
            load = new Writers(client, log, prefix, writers, keysPerWriter, maxRate, runSeed);
            killer = new Killer(cluster, runSeed ^ 0x6b696c6c6572L, minIntervalMs, maxIntervalMs, minDownMs,
                maxDownMs, out, startNs);
            final long loadStart = System.nanoTime();
            load.start();
            killer.start();
            try
            {
                // The scenario's length: faults go on for this long.
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                try
                {
                    killer.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(settleSeconds));
                }
                catch (final IOException e)
                {
                    out.println("chaos: FAILED: " + e.getMessage());
                    return 1;
                }
            }
            finally
            {
                load.stop();
            }
            loadNs = System.nanoTime() - loadStart;
        }
        final long settleStart = System.nanoTime();
        final long settleDeadline = settleStart + TimeUnit.SECONDS.toNanos(settleSeconds);
        final double settledS = awaitAllUp(cluster, settleDeadline);
        final MondProbe.Health health = cluster.health();
        final Verdict.Result result = settledS < 0 ? null : audit(cluster, log, settleDeadline);
        final double auditS = (System.nanoTime() - settleStart) / 1e9;
        return report(load, killer, result, loadNs, settledS, auditS, health, startNs);
    }

    /**
     * @return seconds until mond sees every node UP, or -1 when it does not by the deadline.
     */
    private static double awaitAllUp(final ChaosCluster cluster, final long deadlineNs) throws InterruptedException
    {
        final long start = System.nanoTime();
        final int nodes = ChaosCluster.LOGDS + ChaosCluster.MAPDS;
        while (true)
        {
            final MondProbe.Health health = cluster.health();
            if (health != null && health.nodes() == nodes && health.up() == nodes)
            {
                return (System.nanoTime() - start) / 1e9;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return -1;
            }
            Thread.sleep(100);
        }
    }

    /** GETs in flight at once per mapd during the audit. */

    /**
     * Reads every key from every mapd, then again only the keys with a problem, until none has one that fails the
     * run or the deadline passed.
     */
    private Verdict.Result audit(final ChaosCluster cluster, final WriteLog log, final long deadlineNs)
        throws InterruptedException
    {
        final List<String> names = new ArrayList<>();
        for (final ChaosCluster.Daemon mapd : cluster.mapds)
        {
            names.add(mapd.name());
        }
        final List<MetroClient> each = new ArrayList<>();
        try
        {
            for (final String mapd : cluster.mapdAddresses())
            {
                each.add(MetroClient.builder(mapd).requestTimeoutMs(timeoutMs).build());
            }
            final List<String> all = log.keys();
            List<String> keys = all;
            int rounds = 0;
            Verdict.Result first = null;
            while (true)
            {
                final List<Map<String, KeyReadings.Reading>> readings = new ArrayList<>();
                for (final MetroClient client : each)
                {
                    readings.add(KeyReadings.readAll(client, keys));
                }
                rounds++;
                final List<String> problems = new ArrayList<>();
                final Verdict.Result result = Verdict.of(log, keys, names, readings, problems);
                if (first == null)
                {
                    first = result;
                }
                if (result.safe() || System.nanoTime() - deadlineNs > 0)
                {
                    out.println("chaos: audit: " + all.size() + " keys read from each of " + names.size() +
                        " mapds, then " + (rounds - 1) + " more round(s) of the keys with a problem (first round: " +
                        first.lostSafe() + " SETSAFE lost, " + first.divergent() + " divergent, " +
                        first.unreadable() + " unreadable)");
                    // Keys without a problem in an earlier round are counted as they were.
                    return new Verdict.Result(all.size(), result.lostSafe(), result.lostSet(), result.divergent(),
                        result.unknown(), result.unreadable(), result.examples());
                }
                keys = problems;
                Thread.sleep(250);
            }
        }
        finally
        {
            for (final MetroClient client : each)
            {
                client.close();
            }
        }
    }


    private int report(final Writers load, final Killer killer, final Verdict.Result result, final long loadNs,
        final double settledS, final double auditS, final MondProbe.Health health, final long startNs)
    {
        final double loadS = loadNs / 1e9;
        final long safeAcked = load.safeAcked.sum();
        final long setAcked = load.setAcked.sum();
        final long failed = load.safeFailed.sum() + load.setFailed.sum();
        out.println(String.format(Locale.ROOT, "chaos: load held: %.0f writes/s acknowledged over %.1f s " +
            "(%d writers, at most %d/s): SETSAFE %d, SET %d acknowledged; %d failed", (safeAcked + setAcked) / loadS,
            loadS, writers, maxRate, safeAcked, setAcked, failed));
        out.println("chaos: faults injected: " + killer.total() + " (kill -9: logd " +
            killer.injected(Killer.Kind.LOGD) + ", mapd " + killer.injected(Killer.Kind.MAPD) + ", mond " +
            killer.injected(Killer.Kind.MOND) + "; link cuts " + killer.injected(Killer.Kind.LINK) + ": " +
            killer.drops() + " dropped, " + killer.stalls() + " held)");
        out.println("chaos: failed writes by status: " + (failed == 0 ? "none" : load.failures().toString()));
        if (failed > 0)
        {
            final List<Writers.Failure> elsewhere =
                FailureAttribution.notAtAKilledMapd(load.failed(), killer.mapdKills());
            out.println("chaos: failed writes not in flight at a mapd that was killed: " + elsewhere.size() +
                (elsewhere.isEmpty() ? "" : " (" + FailureAttribution.describe(elsewhere, startNs) + ")"));
        }
        final List<String> problems = new ArrayList<>();
        if (settledS < 0)
        {
            problems.add("the cluster did not settle: mond does not see every node UP " + settleSeconds +
                " s after the faults stopped (" + health + ")");
        }
        else
        {
            out.println(String.format(Locale.ROOT, "chaos: settled: mond saw every node UP %.1f s after the faults " +
                "stopped; audit done %.1f s after", settledS, auditS));
        }
        if (safeAcked == 0)
        {
            problems.add("no SETSAFE acknowledged at all");
        }
        if (result != null)
        {
            for (final String example : result.examples())
            {
                out.println("chaos:   " + example);
            }
            if (result.lostSafe() > 0)
            {
                problems.add(result.lostSafe() + " keys lost an acknowledged SETSAFE");
            }
            if (result.divergent() > 0)
            {
                problems.add(result.divergent() + " keys divergent");
            }
            if (result.unknown() > 0)
            {
                problems.add(result.unknown() + " keys hold a value nobody wrote");
            }
            if (result.unreadable() > 0)
            {
                problems.add(result.unreadable() + " reads failed at the end of the audit");
            }
            if (result.lostSet() > 0)
            {
                out.println("chaos: note: " + result.lostSet() + " keys lost an acknowledged SET (reported, not " +
                    "failed: only SETSAFE is promised to survive a kill -9)");
            }
        }
        final String verdict = problems.isEmpty() ? "PASS" : "FAIL";
        out.println(String.format(Locale.ROOT, "%-6s %8s %9s %13s %10s %7s %6s %5s %12s %9s %10s %8s %10s", "result",
            "load_s", "writes/s", "setsafe_acked", "set_acked", "failed", "kills", "cuts", "lost_setsafe", "lost_set",
            "divergent", "unknown", "unreadable"));
        out.println(String.format(Locale.ROOT, "%-6s %8.1f %9.0f %13d %10d %7d %6d %5d %12s %9s %10s %8s %10s",
            verdict, loadS, (safeAcked + setAcked) / loadS, safeAcked, setAcked, failed,
            killer.total() - killer.injected(Killer.Kind.LINK), killer.injected(Killer.Kind.LINK),
            result == null ? "?" : Integer.toString(result.lostSafe()),
            result == null ? "?" : Integer.toString(result.lostSet()),
            result == null ? "?" : Integer.toString(result.divergent()),
            result == null ? "?" : Integer.toString(result.unknown()),
            result == null ? "?" : Integer.toString(result.unreadable())));
        for (final String problem : problems)
        {
            out.println("chaos: FAILED: " + problem);
        }
        return problems.isEmpty() ? 0 : 1;
    }

    private static String endpoints(final List<ChaosCluster.Daemon> daemons)
    {
        final List<String> endpoints = new ArrayList<>();
        for (final ChaosCluster.Daemon daemon : daemons)
        {
            endpoints.add(daemon.endpoint());
        }
        return String.join(",", endpoints);
    }

    private static void deleteTree(final Path root) throws IOException
    {
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path directory, final IOException e) throws IOException
            {
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ChaosCommand()).execute(args));
    }
}
