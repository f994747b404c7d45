package io.metrodb.tools.up;

import java.util.ArrayList;
import java.util.List;

/**
 * One child process of {@code up}: a host ({@code metrodb host}: the i-th logd and the i-th mapd in one JVM, and
 * mond on host1, as on a 3-host install, for about 40 % less CPU to start than a JVM each). A process that dies
 * takes all its nodes with it, and is restarted with them, like a host that crashed and came back.
 *
 * @param name  {@code host<i>}: its log file is {@code <name>.log}
 * @param nodes the nodes it runs, in start order
 */
public record ProcessSpec(String name, List<NodeSpec> nodes)
{
    public static final String HOST_COMMAND = "host";
    public static final String SEPARATOR = "+";

    /**
     * @return whether it runs its nodes through {@code metrodb host}: anything but a lone gateway.
     */
    public boolean isHost()
    {
        return !(nodes.size() == 1 && NodeSpec.GATEWAY.equals(nodes.get(0).role()));
    }

    /**
     * @return {@code host}, or the role of its one node: what its class-data sharing archive is named after.
     */
    public String kind()
    {
        return isHost() ? HOST_COMMAND : nodes.get(0).role();
    }

    /**
     * @return its start stage: that of its nodes.
     */
    public int stage()
    {
        return nodes.get(0).stage();
    }

    /**
     * @return the arguments after the jar: {@code host logd ARGS + mapd ARGS} for a host, {@code <role> ARGS}
     * otherwise.
     */
    public List<String> commandArgs()
    {
        final List<String> args = new ArrayList<>();
        if (isHost())
        {
            args.add(HOST_COMMAND);
        }
        for (final NodeSpec node : nodes)
        {
            if (args.size() > 1)
            {
                args.add(SEPARATOR);
            }
            args.add(node.role());
            args.addAll(node.args());
        }
        return args;
    }

    /**
     * @return {@code host1 (logd1, mapd1)} for a host, the node's name otherwise: for messages.
     */
    public String describe()
    {
        if (!isHost())
        {
            return name;
        }
        final List<String> names = new ArrayList<>();
        for (final NodeSpec node : nodes)
        {
            names.add(node.name());
        }
        return name + " (" + String.join(", ", names) + ")";
    }
}
