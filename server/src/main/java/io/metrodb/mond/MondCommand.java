package io.metrodb.mond;

import io.metrodb.protocol.netty.Transports;
import io.metrodb.protocol.Addresses;
import io.metrodb.server.Daemon;
import io.metrodb.server.DaemonOptions;
import io.metrodb.server.LimitOptions;
import io.metrodb.server.ServerRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code metrodb mond}: runs the monitor until SIGTERM/SIGINT.
 */
@Command(
    name = "mond",
    mixinStandardHelpOptions = true,
    description = "Run a mond: heartbeats every logd and mapd, pushes the cluster view to the mapds, probes " +
        "replicas and asks mapds to repair the bad ones. It holds no data.",
    sortOptions = false)
public final class MondCommand implements Callable<Integer>, Daemon
{
    @Option(names = "--mapds", required = true, paramLabel = "HOST:PORT,...",
        description = "Every mapd to watch, probe and push the cluster view to.")
    String mapds;

    @Option(names = "--logds", required = true, paramLabel = "HOST:PORT,...",
        description = "Every logd to watch.")
    String logds;

    @Mixin
    final DaemonOptions daemon = new DaemonOptions(MondConfig.DEFAULT_PORT);

    @Mixin
    final LimitOptions limits = new LimitOptions();

    @Option(names = "--node-id", defaultValue = "0",
        description = "The node id mond announces in HELLO, 0..65535 (mond keeps no data, so it needs none). " +
            "Default: ${DEFAULT-VALUE}.")
    int nodeId;

    @Option(names = "--heartbeat-ms", defaultValue = "" + MondConfig.DEFAULT_HEARTBEAT_INTERVAL_MS,
        description = "Heartbeat interval: every node gets a HEARTBEAT this often; an interval without an " +
            "answer is a miss (1 miss: SUSPECT). Default: ${DEFAULT-VALUE}.")
    long heartbeatMs;

    @Option(names = "--down-after", defaultValue = "" + MondConfig.DEFAULT_DOWN_AFTER,
        description = "Consecutive misses that make a node DOWN; its first answer makes it UP again. " +
            "Default: ${DEFAULT-VALUE} (with 250 ms: DOWN 1 to 1.25 s after the last answer).")
    int downAfter;

    @Option(names = "--probe-keys-per-sec", defaultValue = "" + MondConfig.DEFAULT_PROBE_KEYS_PER_SEC,
        description = "Random keys checked per second (PROBE RANDOM, the UP mapds in turn); 0 turns it off. " +
            "Default: ${DEFAULT-VALUE}.")
    int probeKeysPerSec;

    @Option(names = "--scrub-keys-per-sec", defaultValue = "" + MondConfig.DEFAULT_SCRUB_KEYS_PER_SEC,
        description = "Keys per second of the scrub, which walks one mapd's whole grid over and over " +
            "(PROBE SCAN); 0 turns it off. Default: ${DEFAULT-VALUE}.")
    int scrubKeysPerSec;

    @Option(names = "--scrub-pass-min-ms", defaultValue = "" + MondConfig.DEFAULT_SCRUB_PASS_MIN_MS,
        description = "A scrub pass that took less than this rests until this long after it began, and the " +
            "random probes rest with it; a node changing state ends the rest. 0: scrub without rest. " +
            "Default: ${DEFAULT-VALUE}.")
    long scrubPassMinMs;

    @Option(names = "--repairs-per-sec", defaultValue = "" + MondConfig.DEFAULT_REPAIRS_PER_SEC,
        description = "REPAIRs sent per second at most; also the key rate of the sweep that follows a logd " +
            "DOWN past its grace period. Default: ${DEFAULT-VALUE}.")
    int repairsPerSec;

    @Option(names = "--repair-grace-ms", defaultValue = "" + MondConfig.DEFAULT_REPAIR_GRACE_MS,
        description = "How long a logd must be DOWN before its replicas are re-created on other logds; one " +
            "back UP sooner keeps them. Corrupt replicas are repaired at once. Default: ${DEFAULT-VALUE}.")
    long repairGraceMs;

    @Option(names = "--max-pending-repairs", defaultValue = "" + MondConfig.DEFAULT_MAX_PENDING_REPAIRS,
        description = "Keys pending repair at most; more are dropped and counted (the scrub finds them again). " +
            "Default: ${DEFAULT-VALUE}.")
    int maxPendingRepairs;

    @Option(names = "--request-timeout-ms", defaultValue = "" + MondConfig.DEFAULT_REQUEST_TIMEOUT_MS,
        description = "How long a PROBE or REPAIR may take before it counts as failed. Default: ${DEFAULT-VALUE}.")
    long requestTimeoutMs;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Directory for mond's counters file (counters.dat, read by `metrodb stat`). " +
            "Default: none (counters in memory only).")
    Path dir;

    @Override
    public Integer call() throws Exception
    {
        return ServerRunner.runUntilSignalled(name(), start());
    }

    @Override
    public String name()
    {
        return "mond";
    }

    @Override
    public AutoCloseable start() throws Exception
    {
        final MondConfig config = toConfig();
        final MondServer server = MondServer.start(config, dir);
        // One write: a line printed in pieces can be cut by another thread's log line in the same file.
        System.out.println(String.format("mond listening on %s:%d (%s), watching mapds %s and logds %s, heartbeat %d ms, " +
            "down after %d misses, repair grace %d ms", config.host(), server.port(), Transports.name(), mapds,
            logds, config.heartbeatIntervalMs(), config.downAfter(), config.repairGraceMs()));
        return server;
    }

    MondConfig toConfig() throws java.io.IOException
    {
        return new MondConfig()
            .host(daemon.host())
            .port(daemon.port())
            .nodeId(nodeId)
            .mapds(Addresses.parse(mapds, "--mapds"))
            .logds(Addresses.parse(logds, "--logds"))
            .authToken(daemon.authToken())
            .heartbeatIntervalMs(heartbeatMs)
            .downAfter(downAfter)
            .probeKeysPerSec(probeKeysPerSec)
            .scrubKeysPerSec(scrubKeysPerSec)
            .repairsPerSec(repairsPerSec)
            .repairGraceMs(repairGraceMs)
            .maxPendingRepairs(maxPendingRepairs)
            .requestTimeoutMs(requestTimeoutMs)
            .scrubPassMinMs(scrubPassMinMs)
            .limits(limits.limits())
            .conclude();
    }
}
