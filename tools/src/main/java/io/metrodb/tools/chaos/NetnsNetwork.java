package io.metrodb.tools.chaos;

import java.io.IOException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A network of Linux network namespaces for the cluster under chaos: each host (one daemon) is a namespace of its
 * own with one address, {@code 10.<net>.<i>.2}, behind a router namespace that forwards between them; this process
 * (the writers, the checks) reaches every host through the router from {@code 10.<net>.0.2}. A link between two
 * hosts is cut in the router by a pair of policy rules, as a network would cut it: {@code blackhole} drops every
 * packet silently (a connection stays open and hears nothing; a new one hangs), {@code prohibit} answers with
 * "administratively prohibited" (a new connection fails at once) and the open connections are reset first
 * ({@code ss -K} in both hosts). Needs root and iproute2; {@link #unavailable()} says why not.
 * <p>
 * Everything is named after this process's pid ({@code mdbchaos-<pid>-<host>}); {@link #close()} deletes it, and
 * the veth pairs and routes go with their namespaces.
 */
final class NetnsNetwork implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_S = 20;
    /** This process, in the root namespace: a link to it can be cut as a host's can. */
    static final String SELF = "self";
    private static final String ROUTER = "router";
    private static final String PREFIX = "mdbchaos-";
    /** Second octets tried for the network, from one picked by pid: one not in use on this machine. */
    private static final int FIRST_NET = 200;
    private static final int NETS = 50;

    private final String prefix;
    private final int net;
    private final Map<String, Integer> hosts = new LinkedHashMap<>();
    private final List<String> made = new ArrayList<>();
    private final List<String> rules = new ArrayList<>();

    private NetnsNetwork(final String prefix, final int net)
    {
        this.prefix = prefix;
        this.net = net;
    }

    /**
     * @return why namespaces cannot be used here, or null when they can (Linux, root, the ip command).
     */
    static String unavailable()
    {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
        {
            return "not Linux";
        }
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "not root (network namespaces need root)";
        }
        try
        {
            run(List.of("ip", "netns", "list"));
            run(List.of("ss", "-V"));
            return null;
        }
        catch (final IOException e)
        {
            return "iproute2 cannot be used (" + e.getMessage() + ")";
        }
    }

    /**
     * Makes the router and one namespace per host.
     *
     * @param hostNames the hosts, e.g. {@code logd1}; each becomes {@code 10.<net>.<i>.2}, i from 1.
     * @throws IOException when a step fails; what was made is removed.
     */
    static NetnsNetwork create(final List<String> hostNames) throws IOException
    {
        final long pid = ProcessHandle.current().pid();
        removeAbandoned();
        final NetnsNetwork network = new NetnsNetwork(PREFIX + pid + "-", freeNet(pid));
        try
        {
            network.build(hostNames);
            return network;
        }
        catch (final IOException | RuntimeException e)
        {
            network.close();
            throw e;
        }
    }

    /**
     * Deletes the namespaces of earlier runs whose process is gone (killed before it could clean up), with any
     * daemon left in them.
     */
    private static void removeAbandoned() throws IOException
    {
        for (final String line : run(List.of("ip", "netns", "list")).split("\n"))
        {
            final String name = line.split(" ")[0];
            if (!name.startsWith(PREFIX))
            {
                continue;
            }
            final String pid = name.substring(PREFIX.length(), name.indexOf('-', PREFIX.length()));
            if (ProcessHandle.of(Long.parseLong(pid)).isPresent())
            {
                continue;
            }
            for (final String daemon : run(List.of("ip", "netns", "pids", name)).split("\n"))
            {
                if (!daemon.isBlank())
                {
                    ProcessHandle.of(Long.parseLong(daemon.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            run(List.of("ip", "netns", "del", name));
        }
    }

    private void build(final List<String> hostNames) throws IOException
    {
        final String router = namespace(ROUTER);
        addNamespace(router);
        // Forwarding on; the ICMP rate limit off: a refused link answers every connection attempt at once, not
        // one a second.
        run(List.of("ip", "netns", "exec", router, "sh", "-c",
            "echo 1 > /proc/sys/net/ipv4/ip_forward && echo 0 > /proc/sys/net/ipv4/icmp_ratelimit"));
        // This process's way in: a veth pair from the root namespace to the router.
        final String rootLink = "mdbc" + ProcessHandle.current().pid();
        run(List.of("ip", "link", "add", rootLink, "type", "veth", "peer", "name", "root", "netns", router));
        run(List.of("ip", "addr", "add", address(0, 2) + "/24", "dev", rootLink));
        run(List.of("ip", "link", "set", rootLink, "up"));
        run(List.of("ip", "-n", router, "addr", "add", address(0, 1) + "/24", "dev", "root"));
        run(List.of("ip", "-n", router, "link", "set", "root", "up"));
        run(List.of("ip", "route", "add", "10." + net + ".0.0/16", "via", address(0, 1)));
        int i = 0;
        for (final String host : hostNames)
        {
            i++;
            final String ns = namespace(host);
            addNamespace(ns);
            run(List.of("ip", "link", "add", "h" + i, "netns", router, "type", "veth", "peer", "name", "eth0",
                "netns", ns));
            run(List.of("ip", "-n", router, "addr", "add", address(i, 1) + "/24", "dev", "h" + i));
            run(List.of("ip", "-n", router, "link", "set", "h" + i, "up"));
            run(List.of("ip", "-n", ns, "addr", "add", address(i, 2) + "/24", "dev", "eth0"));
            run(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
            run(List.of("ip", "-n", ns, "route", "add", "default", "via", address(i, 1)));
            hosts.put(host, i);
        }
    }

    /**
     * @return the host's address.
     */
    String address(final String host)
    {
        return address(SELF.equals(host) ? 0 : index(host), 2);
    }

    /**
     * @return the command prefix that runs a program in the host's namespace.
     */
    List<String> exec(final String host)
    {
        index(host);
        return List.of("ip", "netns", "exec", namespace(host));
    }

    /**
     * @return the router namespace, for messages.
     */
    String describe()
    {
        return "network namespaces " + prefix + "*, hosts 10." + net + ".<i>.2 behind " + namespace(ROUTER);
    }

    /**
     * Cuts the link between two hosts ({@link #SELF} for this process) in both directions.
     *
     * @param reset true: reset the open connections and refuse new ones; false: drop every packet silently.
     */
    synchronized void cut(final String a, final String b, final boolean reset) throws IOException
    {
        final String type = reset ? "prohibit" : "blackhole";
        addRule(address(a), address(b), type);
        addRule(address(b), address(a), type);
        if (reset)
        {
            resetConnections(a, address(b));
            resetConnections(b, address(a));
        }
    }

    /**
     * Ends every cut between two hosts.
     */
    synchronized void heal(final String a, final String b) throws IOException
    {
        for (final String rule : new ArrayList<>(rules))
        {
            final String[] parts = rule.split(" ");
            if (parts[0].equals(address(a)) && parts[1].equals(address(b)) ||
                parts[0].equals(address(b)) && parts[1].equals(address(a)))
            {
                run(List.of("ip", "-n", namespace(ROUTER), "rule", "del", "from", parts[0], "to", parts[1],
                    parts[2]));
                rules.remove(rule);
            }
        }
    }

    private void resetConnections(final String host, final String to) throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (!SELF.equals(host))
        {
            command.addAll(exec(host));
        }
        command.addAll(List.of("ss", "-K", "dst", to));
        run(command);
    }

    private void addRule(final String from, final String to, final String type) throws IOException
    {
        run(List.of("ip", "-n", namespace(ROUTER), "rule", "add", "from", from, "to", to, type));
        rules.add(from + " " + to + " " + type);
    }

    private int index(final String host)
    {
        final Integer i = hosts.get(host);
        if (i == null)
        {
            throw new IllegalArgumentException("no host " + host + " in " + hosts.keySet());
        }
        return i;
    }

    private String namespace(final String host)
    {
        return prefix + host;
    }

    private String address(final int subnet, final int host)
    {
        return "10." + net + "." + subnet + "." + host;
    }

    private void addNamespace(final String ns) throws IOException
    {
        run(List.of("ip", "netns", "add", ns));
        made.add(ns);
        run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
    }

    /**
     * @return a second octet no address or route of this machine uses yet.
     */
    private static int freeNet(final long pid) throws IOException
    {
        final String inUse = run(List.of("ip", "-4", "-o", "addr", "show")) + run(List.of("ip", "-4", "route"));
        for (int i = 0; i < NETS; i++)
        {
            final int net = FIRST_NET + (int)((pid + i) % NETS);
            if (!inUse.contains(" 10." + net + "."))
            {
                return net;
            }
        }
        throw new IOException("every network 10." + FIRST_NET + "-" + (FIRST_NET + NETS - 1) + ".0.0/16 is in use");
    }

    /**
     * Deletes the namespaces (their links, addresses and routes go with them). The hosts' processes must have
     * been stopped: a namespace's processes keep running in it.
     */
    @Override
    public synchronized void close()
    {
        for (int i = made.size() - 1; i >= 0; i--)
        {
            try
            {
                run(List.of("ip", "netns", "del", made.get(i)));
            }
            catch (final IOException e)
            {
                System.err.println("chaos: could not delete network namespace " + made.get(i) + ": " +
                    e.getMessage());
            }
        }
        made.clear();
    }

    /**
     * Runs a command to its end.
     *
     * @return its output.
     * @throws IOException when it cannot start, times out or exits non-zero, with its output.
     */
    static String run(final List<String> command) throws IOException
    {
        final Path output = Files.createTempFile("metrodb-chaos-ip-", ".out");
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer in " + COMMAND_TIMEOUT_S + " s");
            }
            final String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException(String.join(" ", command) + ": exit " + process.exitValue() + ": " +
                    printed.strip());
            }
            return printed;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        finally
        {
            Files.deleteIfExists(output);
        }
    }
}
