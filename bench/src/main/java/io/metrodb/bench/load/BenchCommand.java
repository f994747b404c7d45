package io.metrodb.bench.load;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/metrodb-bench}: runs a workload against a MetroDB cluster or a Redis server and reports latency
 * percentiles and throughput per operation (docs/BENCH-HARNESS.md). {@code bin/metrodb-bench plot} draws
 * {@code .hgrm} files ({@link PlotCommand}).
 */
@Command(name = "metrodb-bench", sortOptions = false, subcommands = PlotCommand.class,
    description = {"Drives a MetroDB cluster (Java SDK) or a Redis server (RESP) with one workload and reports " +
        "latency percentiles and ops/s per operation.", ""},
    footer = {"", "Examples:",
        "  metrodb-bench --preload 100000 --connections 4 --in-flight 16 --duration 10s",
        "  metrodb-bench --target redis://127.0.0.1:6379 --preload 100000 --connections 4 --in-flight 16",
        "  metrodb-bench --compare redis://127.0.0.1:6379 --preload 100000 --in-flight 16 --out runs/ab",
        "  metrodb-bench --rate 20000 --connections 8 --in-flight 64 --out runs/metrodb-20k",
        "  metrodb-bench plot runs/metrodb-20k/get.hgrm runs/redis-20k/get.hgrm -o get.svg"})
public final class BenchCommand implements Callable<Integer>
{
    /** The README's local cluster. */
    static final String DEFAULT_TARGET = "metrodb://127.0.0.1:7550,127.0.0.1:7551,127.0.0.1:7552";

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Option(names = "--target", paramLabel = "URL", description = {"metrodb://HOST:PORT[,HOST:PORT...] (the " +
        "Java SDK) or redis://HOST:PORT (RESP). Default: ${DEFAULT-VALUE}."}, defaultValue = DEFAULT_TARGET)
    private String target;

    @Option(names = "--compare", paramLabel = "URL", description = "Then the same workload (same seed) " +
        "against this target too (repeatable): a table per run, then one comparing them; with --out, each run in " +
        "DIR/<scheme>/ and DIR/<op>.svg plotting them together.")
    private List<String> compare = new ArrayList<>();

    @Option(names = "--read", paramLabel = "W", description = "Weight of GETs in the mix (default ${DEFAULT-VALUE}).",
        defaultValue = "90")
    private double read;

    @Option(names = "--write", paramLabel = "W", description = "Weight of writes (SET, or SETSAFE for " +
        "--setsafe-share of them) (default ${DEFAULT-VALUE}).", defaultValue = "10")
    private double write;

    @Option(names = "--delete", paramLabel = "W", description = "Weight of DELs (default ${DEFAULT-VALUE}).",
        defaultValue = "0")
    private double delete;

    @Option(names = "--mix", paramLabel = "OP=W,...", description = "The mix as weights of get, set, setsafe, del, " +
        "e.g. get=50,set=50; replaces --read/--write/--delete.")
    private String mix;

    @Option(names = "--setsafe-share", paramLabel = "F", description = "Fraction 0..1 of the SETs sent as SETSAFE " +
        "(MetroDB's durable SET; a SET against Redis) (default ${DEFAULT-VALUE}).", defaultValue = "0")
    private double setSafeShare;

    @Option(names = "--keys", paramLabel = "N", description = "Keys key:000000000000 up to N-1 (default " +
        "${DEFAULT-VALUE}).", defaultValue = "100000")
    private long keys;

    @Option(names = "--distribution", paramLabel = "D", description = "Which keys requests pick: uniform, zipfian " +
        "(YCSB's scrambled zipfian, theta 0.99) or latest (zipfian, the highest-numbered keys hottest) (default " +
        "${DEFAULT-VALUE}).", defaultValue = "uniform")
    private String distribution;

    @Option(names = "--value-size", paramLabel = "B|MIN..MAX", description = "Value size in bytes, fixed or a " +
        "range picked uniformly (default ${DEFAULT-VALUE}).", defaultValue = "100")
    private String valueSize;

    @Option(names = "--connections", paramLabel = "N", description = "Load connections (MetroDB: an SDK client " +
        "each, one connection to every mapd; Redis: a TCP connection each) (default ${DEFAULT-VALUE}).",
        defaultValue = "4")
    private int connections;

    @Option(names = "--in-flight", paramLabel = "N", description = "Requests in flight per connection at most " +
        "(pipelining) (default ${DEFAULT-VALUE}).", defaultValue = "1")
    private int inFlight;

    @Option(names = "--rate", paramLabel = "OPS", description = "Open loop: requests per second in total, latency " +
        "from each request's intended start (coordinated omission corrected). 0: closed loop (default).",
        defaultValue = "0")
    private long rate;

    @Option(names = "--duration", paramLabel = "T", description = "Measured time, e.g. 30s, 500ms, 2m (default " +
        "${DEFAULT-VALUE}).", defaultValue = "10s")
    private String duration;

    @Option(names = "--warmup", paramLabel = "T", description = "Load before the measured time, not counted " +
        "(default ${DEFAULT-VALUE}).", defaultValue = "2s")
    private String warmup;

    @Option(names = "--preload", paramLabel = "N", description = "SET keys 0..N-1 first, so GETs hit (default " +
        "${DEFAULT-VALUE}).", defaultValue = "0")
    private long preload;

    @Option(names = "--seed", paramLabel = "S", description = "Seeds the keys, operations and values picked " +
        "(default: from the clock; printed).")
    private Long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Event-loop threads of the harness (default: " +
        "the CPUs, at most one per connection).")
    private Integer threads;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Connect and request timeout (default " +
        "${DEFAULT-VALUE}).", defaultValue = "5000")
    private long timeoutMs;

    @Option(names = "--out", paramLabel = "DIR", description = "Write <op>.hgrm per operation, all.hgrm and " +
        "result.json there.")
    private Path out;

    @Option(names = "--json", description = "Print the result as one JSON object instead of the table.")
    private boolean json;

    @Option(names = "--no-progress", description = "No progress line every second (on stderr).")
    private boolean noProgress;

    public static void main(final String[] args)
    {
        HarnessCommand.run(new BenchCommand(), args);
    }

    @Override
    public Integer call() throws Exception
    {
        final Workload workload = workload();
        final long durationNs = parseDurationNs(duration, "--duration");
        final long warmupNs = parseDurationNs(warmup, "--warmup");
        HarnessCommand.require(spec, durationNs > 0, "--duration must be more than 0");
        HarnessCommand.require(spec, preload >= 0 && preload <= keys, "--preload must be in 0..--keys");
        HarnessCommand.require(spec, timeoutMs >= 1, "--timeout-ms must be at least 1");
        final int loopThreads = threads != null ? threads :
            Math.min(connections, Runtime.getRuntime().availableProcessors());
        HarnessCommand.require(spec, loopThreads >= 1 && loopThreads <= 256, "--threads must be in 1..256");
        final List<String> urls = new ArrayList<>();
        urls.add(target);
        urls.addAll(compare);
        final List<Target> targets = new ArrayList<>();
        for (final String url : urls)
        {
            // Every URL checked before the first run starts.
            targets.add(target(url, timeoutMs));
        }
        final List<String> labels = labels(urls);
        final PrintStream progress = noProgress ? null : System.err;
        final List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++)
        {
            final Target driven = targets.get(i);
            if (progress != null)
            {
                progress.printf(Locale.ROOT, "metrodb-bench: %s, %s, seed %d%n", driven.describe(),
                    workload.openLoop() ? "open loop at " + workload.rate + " ops/s" : "closed loop", workload.seed);
            }
            final RunResult result;
            try
            {
                result = new LoadRun(driven, workload, loopThreads, timeoutMs, progress).run(preload, warmupNs,
                    durationNs);
            }
            catch (final IllegalStateException e)
            {
                // Cannot connect, or the target stopped answering: the reason, not a stack trace.
                System.err.println("metrodb-bench: " + e.getMessage());
                return 1;
            }
            results.add(result);
            if (out != null)
            {
                result.write(targets.size() == 1 ? out : out.resolve(labels.get(i)));
            }
            // One JSON object a line when comparing (JSON lines), the table otherwise.
            System.out.print(json ? result.json() + System.lineSeparator() : result.table());
            if (!json && i < targets.size() - 1)
            {
                System.out.println();
            }
            System.out.flush();
        }
        if (results.size() > 1)
        {
            if (!json)
            {
                System.out.println();
                System.out.print(RunResult.comparison(labels, results));
            }
            if (out != null)
            {
                plotComparison(labels, results);
            }
        }
        return 0;
    }

    /**
     * @return a name per target for directories and plots: its scheme, numbered when two share one.
     */
    static List<String> labels(final List<String> urls)
    {
        final List<String> labels = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++)
        {
            final String scheme = urls.get(i).substring(0, Math.max(0, urls.get(i).indexOf(':')));
            int same = 0;
            for (final String url : urls)
            {
                same += url.startsWith(scheme + ":") ? 1 : 0;
            }
            labels.add(same > 1 ? scheme + "-" + (i + 1) : scheme);
        }
        return labels;
    }

    /**
     * Writes {@code --out/<op>.svg} for each operation and all: the targets' latency by percentile, one line each.
     */
    private void plotComparison(final List<String> labels, final List<RunResult> results) throws IOException
    {
        final List<String> ops = new ArrayList<>();
        for (final OpResult op : results.get(0).ops)
        {
            ops.add(op.label);
        }
        ops.add(results.get(0).all.label);
        for (final String op : ops)
        {
            final List<PercentileCurve> curves = new ArrayList<>();
            for (int i = 0; i < results.size(); i++)
            {
                final Path file = out.resolve(labels.get(i)).resolve(op + ".hgrm");
                if (Files.exists(file))
                {
                    curves.add(PercentileCurve.read(labels.get(i), file));
                }
            }
            if (!curves.isEmpty())
            {
                Files.writeString(out.resolve(op + ".svg"), SvgPlot.render(curves, op.toUpperCase(Locale.ROOT) +
                    " latency by percentile, " + results.get(0).mode(), "us", true));
            }
        }
    }

    Workload workload()
    {
        HarnessCommand.require(spec, connections >= 1 && connections <= 10_000, "--connections must be in 1..10000");
        HarnessCommand.require(spec, inFlight >= 1 && inFlight <= 65_536, "--in-flight must be in 1..65536");
        HarnessCommand.require(spec, rate >= 0, "--rate must be 0 (closed loop) or more");
        HarnessCommand.require(spec, setSafeShare >= 0 && setSafeShare <= 1, "--setsafe-share must be in 0..1");
        HarnessCommand.require(spec, keys >= 1 && keys <= Keys.MAX_KEYS, "--keys must be in 1.." + Keys.MAX_KEYS);
        final double[] weights = new double[Op.ALL.length];
        if (mix != null)
        {
            for (final String part : mix.split(","))
            {
                final String[] pair = part.trim().split("=");
                HarnessCommand.require(spec, pair.length == 2, "--mix takes op=weight,..., not " + part);
                final Op op = parseOp(pair[0].trim());
                weights[op.ordinal()] = parseNumber(pair[1].trim(), "--mix " + pair[0]);
            }
        }
        else
        {
            weights[Op.GET.ordinal()] = read;
            weights[Op.SET.ordinal()] = write;
            weights[Op.DEL.ordinal()] = delete;
        }
        final double moved = weights[Op.SET.ordinal()] * setSafeShare;
        weights[Op.SET.ordinal()] -= moved;
        weights[Op.SETSAFE.ordinal()] += moved;
        final int[] sizes = parseValueSize(valueSize);
        try
        {
            return new Workload(weights, keys, distribution, sizes[0], sizes[1], connections, inFlight, rate,
                seed != null ? seed : System.nanoTime());
        }
        catch (final IllegalArgumentException e)
        {
            HarnessCommand.require(spec, false, e.getMessage());
            throw e;
        }
    }

    private Op parseOp(final String name)
    {
        for (final Op op : Op.ALL)
        {
            if (op.label().equals(name.toLowerCase(Locale.ROOT)))
            {
                return op;
            }
        }
        HarnessCommand.require(spec, false, "--mix: unknown operation " + name + " (get, set, setsafe, del)");
        return null;
    }

    private double parseNumber(final String text, final String what)
    {
        try
        {
            return Double.parseDouble(text);
        }
        catch (final NumberFormatException e)
        {
            HarnessCommand.require(spec, false, what + ": not a number: " + text);
            return 0;
        }
    }

    private int[] parseValueSize(final String text)
    {
        final int dots = text.indexOf("..");
        try
        {
            final int min = Integer.parseInt(dots < 0 ? text : text.substring(0, dots));
            final int max = dots < 0 ? min : Integer.parseInt(text.substring(dots + 2));
            HarnessCommand.require(spec, min >= 0 && max >= min && max <= 64 << 20,
                "--value-size must be B or MIN..MAX with 0 <= MIN <= MAX <= 64 MiB, was " + text);
            return new int[] {min, max};
        }
        catch (final NumberFormatException e)
        {
            HarnessCommand.require(spec, false, "--value-size must be B or MIN..MAX, was " + text);
            return null;
        }
    }

    /**
     * @param text e.g. 10, 10s, 500ms, 2m (a bare number is seconds).
     * @return nanoseconds.
     */
    long parseDurationNs(final String text, final String option)
    {
        final String trimmed = text.trim().toLowerCase(Locale.ROOT);
        double factor = 1e9;
        String number = trimmed;
        if (trimmed.endsWith("ms"))
        {
            factor = 1e6;
            number = trimmed.substring(0, trimmed.length() - 2);
        }
        else if (trimmed.endsWith("s"))
        {
            number = trimmed.substring(0, trimmed.length() - 1);
        }
        else if (trimmed.endsWith("m"))
        {
            factor = 60e9;
            number = trimmed.substring(0, trimmed.length() - 1);
        }
        try
        {
            final double value = Double.parseDouble(number);
            HarnessCommand.require(spec, value >= 0 && value * factor < TimeUnit.DAYS.toNanos(7),
                option + " must be between 0 and 7 days, was " + text);
            return (long)(value * factor);
        }
        catch (final NumberFormatException e)
        {
            HarnessCommand.require(spec, false, option + " must be a time such as 10s, 500ms or 2m, was " + text);
            return 0;
        }
    }

    /**
     * @param url metrodb://HOST:PORT[,HOST:PORT...] or redis://HOST:PORT.
     */
    Target target(final String url, final long requestTimeoutMs)
    {
        if (url.startsWith(MetroTarget.SCHEME))
        {
            final String[] mapds = url.substring(MetroTarget.SCHEME.length()).split(",");
            for (final String mapd : mapds)
            {
                hostPort(mapd, url);
            }
            return new MetroTarget(mapds, requestTimeoutMs);
        }
        if (url.startsWith(RedisTarget.SCHEME))
        {
            final String rest = url.substring(RedisTarget.SCHEME.length());
            final int port = hostPort(rest, url);
            return new RedisTarget(rest.substring(0, rest.lastIndexOf(':')), port);
        }
        HarnessCommand.require(spec, false, "--target must be metrodb://HOST:PORT[,HOST:PORT...] or " +
            "redis://HOST:PORT, was " + url);
        return null;
    }

    private int hostPort(final String hostPort, final String url)
    {
        final int colon = hostPort.lastIndexOf(':');
        int port = -1;
        if (colon > 0)
        {
            try
            {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            }
            catch (final NumberFormatException e)
            {
                port = -1;
            }
        }
        HarnessCommand.require(spec, port > 0 && port < 65_536, "--target: HOST:PORT expected, not '" + hostPort +
            "' in " + url);
        return port;
    }
}
