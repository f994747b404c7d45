package io.metrodb.tools.check;

import io.metrodb.client.MetroClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A fault check of a running cluster through the SDK: writes and reads from one client while a command breaks
 * something and another heals it, then checks that every acknowledged write reads back from every mapd and that
 * the mapds agree on every key written. {@code deploy/test/multihost-test.sh} runs it against three network
 * namespaces, taking one host's link down.
 *
 * <pre>
 * java -cp tools/target/metrodb-tools.jar io.metrodb.tools.check.MultiHostCheck \
 *     --mapds 10.0.0.1:7550,10.0.0.2:7550,10.0.0.3:7550 \
 *     --fault 'ssh host3 sudo ip link set eth0 down' --heal 'ssh host3 sudo ip link set eth0 up'
 * </pre>
 *
 * Exit status: 0 when nothing was lost or divergent and writes and reads went on during the fault; 1 otherwise; 2
 * for a usage error, a cluster it cannot reach, or a fault or heal command that failed.
 */
@Command(name = "multihost-check", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Writes (SETSAFE and SET, each value naming its write) and reads through the SDK while --fault "
        + "breaks something and --heal repairs it; then waits until every acknowledged write reads back from every "
        + "mapd (each asked directly) and the mapds agree on every key, and prints a summary. Exit 0 when nothing "
        + "was lost or divergent and writes and reads went on during the fault, 1 otherwise, 2 on a setup error.")
public final class MultiHostCheck implements Callable<Integer>
{
    /** A fault or heal action. */
    @FunctionalInterface
    interface Step
    {
        void run() throws Exception;
    }

    @Option(names = "--mapds", required = true, split = ",", paramLabel = "HOST:PORT",
        description = "Every mapd of the cluster; the load goes through all, the audit asks each.")
    List<String> mapds = new ArrayList<>();

    @Option(names = "--fault", paramLabel = "COMMAND",
        description = "Shell command that breaks something after --before-ms (default: none).")
    String faultCommand;

    @Option(names = "--heal", paramLabel = "COMMAND",
        description = "Shell command that repairs it after --fault-ms (default: none).")
    String healCommand;

    @Option(names = "--before-ms", description = "Load before the fault (default: ${DEFAULT-VALUE}).")
    long beforeMs = 4_000;

    @Option(names = "--fault-ms", description = "Load between fault and heal; with a fault, writes and reads must "
        + "succeed in its second half, and SETSAFEs after the heal (default: ${DEFAULT-VALUE}).")
    long faultMs = 12_000;

    @Option(names = "--after-ms", description = "Load after the heal (default: ${DEFAULT-VALUE}).")
    long afterMs = 4_000;

    @Option(names = "--converge-ms",
        description = "Longest wait for every mapd to return every write (default: ${DEFAULT-VALUE}).")
    long convergeMs = 30_000;

    @Option(names = "--expect-cut", paramLabel = "N",
        description = "Mapds the fault must cut the client off from (its connections to them down at the end of the "
            + "fault); 0: not checked (default: ${DEFAULT-VALUE}).")
    int expectCut;

    @Option(names = "--writers", description = "Writer threads (default: ${DEFAULT-VALUE}).")
    int writers = 4;

    @Option(names = "--hot-keys", description = "Keys every writer overwrites (default: ${DEFAULT-VALUE}).")
    int hotKeys = 32;

    @Option(names = "--timeout-ms", description = "The client's request timeout (default: ${DEFAULT-VALUE}).")
    long timeoutMs = 3_000;

    @Option(names = "--key-prefix", paramLabel = "PREFIX",
        description = "Prefix of every key written (default: mh/<the clock in hex>/, new for each run). Keys are "
            + "PREFIX k/<writer>/<n> (each written once) and PREFIX hot/<i> (overwritten).")
    String keyPrefix;

    @Option(names = "--seed", description = "Seed of the writers' random choices (default: the clock; printed).")
    Long seed;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "File holding the cluster's auth token (default: $METRODB_AUTH_TOKEN, else none).")
    Path authTokenFile;

    private PrintStream out = System.out;
    private int cutOff;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new MultiHostCheck()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        final Step fault = faultCommand == null ? null : () -> shell("--fault", faultCommand);
        final Step heal = healCommand == null ? null : () -> shell("--heal", healCommand);
        return run(fault, heal);
    }

    /**
     * Runs the check with the options set on this object and the given fault and heal steps (null: none).
     *
     * @return the exit status.
     */
    int run(final Step fault, final Step heal) throws Exception
    {
        if (writers < 1 || hotKeys < 0 || beforeMs < 0 || faultMs < 0 || afterMs < 0 || convergeMs < 0 ||
            timeoutMs < 1 || mapds.isEmpty())
        {
            out.println("multihost-check: --writers must be at least 1, --timeout-ms positive, the others not " +
                "negative");
            return 2;
        }
        final long runSeed = seed != null ? seed : System.nanoTime();
        final String token = token();
        final String prefix =
            keyPrefix != null ? keyPrefix : "mh/" + Long.toHexString(System.currentTimeMillis()) + "/";
        out.println("multihost-check: seed " + runSeed + " (--seed to repeat), mapds " + String.join(",", mapds) +
            ", " + writers + " writers, keys " + prefix + "*");
        final long start = System.nanoTime();
        final WriteLedger ledger = new WriteLedger();
        final Load load;
        try (MetroClient client = client(mapds.toArray(new String[0]), token))
        {
            if (!awaitConnected(client, mapds.size()))
            {
                out.println("multihost-check: FAILED to connect to every mapd within 30 s (" +
                    client.readyConnections() + " of " + mapds.size() + ")");
                return 2;
            }
            load = new Load(client, ledger, prefix, writers, hotKeys, runSeed);
            final long[] phaseNs = new long[Load.Phase.values().length];
            final int[] connected = new int[Load.Phase.values().length];
            load.start();
            try
            {
                phaseNs[0] = pause(beforeMs);
                connected[0] = client.readyConnections();
                step("fault", faultCommand, fault);
                load.phase(Load.Phase.FAULT_EARLY);
                phaseNs[1] = pause(faultMs / 2);
                connected[1] = client.readyConnections();
                load.phase(Load.Phase.FAULT_LATE);
                phaseNs[2] = pause(faultMs - faultMs / 2);
                connected[2] = client.readyConnections();
                step("heal", healCommand, heal);
                load.phase(Load.Phase.AFTER);
                phaseNs[3] = pause(afterMs);
                connected[3] = client.readyConnections();
            }
            catch (final StepFailed e)
            {
                out.println("multihost-check: FAILED: " + e.getMessage());
                return 2;
            }
            finally
            {
                load.stop();
            }
            printPhases(load, phaseNs, connected);
            out.println("multihost-check: the client moved " + client.retries() +
                " requests to another mapd (lost connection or refusal)");
            cutOff = mapds.size() - connected[Load.Phase.FAULT_LATE.ordinal()];
        }
        final long convergeStart = System.nanoTime();
        final Audit.Result result = converge(ledger, token);
        final double convergedS = seconds(System.nanoTime() - convergeStart);
        return summary(load, ledger, result, fault != null, convergedS, seconds(System.nanoTime() - start));
    }

    /** A fault or heal command that failed. */
    private static final class StepFailed extends Exception
    {
        private static final long serialVersionUID = 1L;

        StepFailed(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    private void step(final String what, final String command, final Step step) throws StepFailed
    {
        if (step == null)
        {
            return;
        }
        out.println("multihost-check: " + what + (command == null ? "" : ": " + command));
        try
        {
            step.run();
        }
        catch (final Exception e)
        {
            throw new StepFailed(what + " failed: " + e.getMessage(), e);
        }
    }

    private static void shell(final String option, final String command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("/bin/sh", "-c", command).inheritIO().start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException(option + " command did not end within 60 s");
        }
        if (process.exitValue() != 0)
        {
            throw new IOException(option + " command exited with status " + process.exitValue());
        }
    }

    private MetroClient client(final String[] addresses, final String token)
    {
        return MetroClient.builder(addresses).requestTimeoutMs(timeoutMs).authToken(token).build();
    }

    private static boolean awaitConnected(final MetroClient client, final int connections) throws InterruptedException
    {
        return client.awaitConnected(connections, 30, TimeUnit.SECONDS);
    }

    /**
     * Lets the load run for {@code ms} (the phase's length: this is the scenario's clock, not a wait for an event).
     *
     * @return how long it really took, in ns.
     */
    private static long pause(final long ms) throws InterruptedException
    {
        final long start = System.nanoTime();
        Thread.sleep(ms);
        return System.nanoTime() - start;
    }

    /**
     * Audits until nothing is lost or divergent, or {@link #convergeMs} passed.
     */
    private Audit.Result converge(final WriteLedger ledger, final String token) throws InterruptedException
    {
        final List<String> keys = ledger.keys();
        final List<MetroClient> each = new ArrayList<>();
        try
        {
            for (final String mapd : mapds)
            {
                each.add(client(new String[] {mapd}, token));
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(convergeMs);
            int rounds = 0;
            while (true)
            {
                final List<Map<String, KeyReadings.Reading>> readings = new ArrayList<>();
                for (final MetroClient client : each)
                {
                    readings.add(KeyReadings.readAll(client, keys));
                }
                rounds++;
                final Audit.Result result = Audit.of(ledger, mapds, readings);
                if (result.clean() || System.nanoTime() - deadline > 0)
                {
                    out.println("multihost-check: audit: " + keys.size() + " keys read from each of " +
                        mapds.size() + " mapds, " + rounds + " round(s)");
                    return result;
                }
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

    /** GETs in flight at once per mapd during the audit. */


    private void printPhases(final Load load, final long[] phaseNs, final int[] connected)
    {
        out.println(String.format(Locale.ROOT, "%-12s %7s %14s %10s %7s %9s %12s %6s %6s %10s", "phase", "time_s",
            "setsafe_acked", "set_acked", "failed", "reads_ok", "reads_failed", "stale", "wrong", "connected"));
        for (final Load.Phase phase : Load.Phase.values())
        {
            final Load.Counters c = load.counters(phase);
            out.println(String.format(Locale.ROOT, "%-12s %7.1f %14d %10d %7d %9d %12d %6d %6d %10s", phase.label,
                seconds(phaseNs[phase.ordinal()]), c.safeAcked.sum(), c.setAcked.sum(), c.failed.sum(),
                c.readsOk.sum(), c.readsFailed.sum(), c.readsStale.sum(), c.readsWrong.sum(),
                connected[phase.ordinal()] + "/" + mapds.size()));
        }
        final Map<String, Long> failures = new TreeMap<>();
        load.failures().forEach((reason, count) -> failures.put(reason, count.sum()));
        if (!failures.isEmpty())
        {
            out.println("multihost-check: failures by reason: " + failures);
        }
    }

    private int summary(final Load load, final WriteLedger ledger, final Audit.Result result, final boolean faulted,
        final double convergedS, final double totalS)
    {
        final List<String> problems = new ArrayList<>();
        if (faulted)
        {
            final Load.Counters late = load.counters(Load.Phase.FAULT_LATE);
            if (late.safeAcked.sum() == 0 || late.setAcked.sum() == 0)
            {
                problems.add("writes did not go on in the second half of the fault");
            }
            if (late.readsOk.sum() == 0)
            {
                problems.add("reads did not go on in the second half of the fault");
            }
            if (load.counters(Load.Phase.AFTER).safeAcked.sum() == 0)
            {
                problems.add("no SETSAFE acknowledged after the heal");
            }
        }
        if (expectCut > 0 && cutOff != expectCut)
        {
            problems.add("the fault was to cut the client off " + expectCut + " mapd(s); at its end it was cut off " +
                cutOff);
        }
        if (ledger.count(true, true) == 0)
        {
            problems.add("no SETSAFE acknowledged at all");
        }
        long wrong = 0;
        for (final Load.Phase phase : Load.Phase.values())
        {
            wrong += load.counters(phase).readsWrong.sum();
        }
        if (wrong > 0)
        {
            problems.add(wrong + " reads returned a value other than the one acknowledged: " + load.wrongReads());
        }
        if (!result.clean())
        {
            problems.add(String.format(Locale.ROOT, "after %.1f s: %d acknowledged SETSAFE and %d SET lost, %d keys " +
                "divergent, %d read errors", convergedS, result.lostSafe(), result.lostSet(), result.divergent(),
                result.readErrors()));
        }
        for (final String example : result.examples())
        {
            out.println("multihost-check:   " + example);
        }
        final long acked = ledger.count(true, true) + ledger.count(false, true);
        final long failed = ledger.count(true, false) + ledger.count(false, false);
        out.println(String.format(Locale.ROOT, "%-8s %12s %8s %6s %10s %11s %7s", "result", "acknowledged", "failed",
            "lost", "divergent", "converged_s", "time_s"));
        final String verdict = problems.isEmpty() ? "PASS" : "FAIL";
        out.println(String.format(Locale.ROOT, "%-8s %12d %8d %6d %10d %11.1f %7.1f", verdict, acked, failed,
            result.lost(), result.divergent(), convergedS, totalS));
        out.println(String.format(Locale.ROOT, "multihost-check: fresh keys: %d SETSAFE and %d SET acknowledged, " +
            "%d and %d failed; %d shared keys", ledger.count(true, true), ledger.count(false, true),
            ledger.count(true, false), ledger.count(false, false), ledger.hotKeys()));
        for (final String problem : problems)
        {
            out.println("multihost-check: FAILED: " + problem);
        }
        return problems.isEmpty() ? 0 : 1;
    }

    private String token() throws IOException
    {
        if (authTokenFile != null)
        {
            return Files.readString(authTokenFile, StandardCharsets.UTF_8).strip();
        }
        final String env = System.getenv("METRODB_AUTH_TOKEN");
        return env == null || env.isEmpty() ? null : env;
    }

    MultiHostCheck output(final PrintStream stream)
    {
        this.out = stream;
        return this;
    }

    private static double seconds(final long ns)
    {
        return ns / 1e9;
    }
}
