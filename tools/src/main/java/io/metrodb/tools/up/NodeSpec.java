package io.metrodb.tools.up;

import java.nio.file.Path;
import java.util.List;

/**
 * One node of the local cluster: its name (logd1, mapd2, mond, gateway), role command, port, and the arguments
 * after the role command.
 *
 * @param name  the node's name: its data directory, log file ({@code <name>.log}) and pid file ({@code <name>.pid})
 * @param role  the command that starts it: logd, mapd, mond or gateway
 * @param port  the loopback port it listens on
 * @param dir   its data directory (none for the gateway)
 * @param args  the arguments after the role command
 * @param stage start order: every node of a stage listens before the next stage starts (0: logds; 1: mapds and
 *              mond, which only needs their addresses; 2: the gateway)
 */
public record NodeSpec(String name, String role, int port, Path dir, List<String> args, int stage)
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
