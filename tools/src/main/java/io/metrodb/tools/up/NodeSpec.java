package io.metrodb.tools.up;

import java.nio.file.Path;
import java.util.List;

/**
 * One node of the local cluster: its name (logd1, mapd2, mond, gateway), role command, port, the arguments after
 * the role command, and the process that runs it.
 *
 * @param name    the node's name: its data directory and pid file ({@code <name>.pid}, the pid of its process)
 * @param role    the command that starts it: logd, mapd, mond or gateway
 * @param port    the loopback port it listens on
 * @param dir     its data directory (none for the gateway)
 * @param args    the arguments after the role command
 * @param process the process that runs it: a child (see {@link ProcessSpec}), {@code host<i>} for the i-th logd
 *                and mapd and host1 for mond too, whose output goes to {@code <process>.log}; or {@code up} itself
 *                for the gateway
 * @param stage   start order: every node of a stage listens before the next stage starts (0: the hosts; 1: the
 *                gateway, a client of the mapds)
 */
public record NodeSpec(String name, String role, int port, Path dir, List<String> args, String process, int stage)
{
    public static final String LOGD = "logd";
    public static final String MAPD = "mapd";
    public static final String MOND = "mond";
    public static final String GATEWAY = "gateway";

    /**
     * @return host:port on loopback.
     */
    public String endpoint()
    {
        return ClusterLayout.HOST + ":" + port;
    }
}
