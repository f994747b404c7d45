package io.metrodb.tools.deploy;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks deploy/'s manifests without a container engine: each container's command line against the launcher's
 * picocli model ({@link LauncherModel}), and the manifest against itself: the ports in the options against the
 * published and container ports, the healthchecks, the readiness probes and the Services; every mapd's
 * {@code --logds} and {@code --peers}, mond's and the gateway's lists against the daemons the manifest runs;
 * {@code --dir} against the volumes. Each check returns the problems found, one line each; none is a pass.
 * <p>
 * The checks are {@link ComposeChecks}, {@link KubernetesChecks} and {@link DockerfileChecks}; this class holds
 * what they share: the daemons' model, their healthcheck, the addresses they give one another, and the YAML
 * helpers.
 */
final class DeployChecker
{
    /** Where the image keeps a daemon's data (Dockerfile: VOLUME, the user's home). */
    static final String DATA_DIR = "/var/lib/metrodb";
    /** The program a healthcheck or exec probe runs (Dockerfile installs deploy/docker/healthcheck.sh there). */
    static final String HEALTHCHECK = "metrodb-healthcheck";

    static final Set<String> DAEMONS = Set.of("logd", "mapd", "mond", "gateway");
    /** Which healthcheck fits which daemon: a logd and mond only accept TCP, a mapd answers PING, the gateway HTTP. */
    private static final Map<String, String> HEALTH_KIND = Map.of(
        "logd", "tcp", "mapd", "resp", "mond", "tcp", "gateway", "http");

    /**
     * Runs the image's entrypoint as a dry run: its arguments and environment in, the launcher's arguments out.
     */
    interface Entrypoint
    {
        /**
         * @return the launcher's arguments, the subcommand first.
         * @throws IllegalStateException when the entrypoint refuses (its message says why).
         */
        List<String> resolve(List<String> args, Map<String, String> env);
    }

    private DeployChecker()
    {
    }

    static Yaml yaml()
    {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    /**
     * A daemon's command line, parsed by the launcher's model.
     */
    static final class Daemon
    {
        final String role;
        final int port;
        final String dir;
        final LauncherModel.Parsed parsed;

        Daemon(final LauncherModel.Parsed parsed)
        {
            this.parsed = parsed;
            this.role = parsed.name();
            this.port = Integer.parseInt(parsed.value("--port"));
            this.dir = parsed.takes("--dir") ? parsed.value("--dir") : null;
        }

        List<String> addresses(final String option)
        {
            final String value = parsed.value(option);
            final List<String> addresses = new ArrayList<>();
            if (value != null)
            {
                for (final String item : value.split(","))
                {
                    if (!item.isBlank())
                    {
                        addresses.add(item.trim());
                    }
                }
            }
            return addresses;
        }
    }

    record Endpoint(String role, String who)
    {
    }

    static Daemon parseDaemon(final String where, final List<String> args, final List<String> problems)
    {
        if (args.isEmpty())
        {
            problems.add(where + ": no command line");
            return null;
        }
        if (!DAEMONS.contains(args.get(0)))
        {
            problems.add(where + ": '" + args.get(0) + "' is not one of the daemons " + new TreeSet<>(DAEMONS));
            return null;
        }
        final Daemon daemon;
        try
        {
            daemon = new Daemon(LauncherModel.parse(args));
        }
        catch (final CommandLine.ParameterException | IllegalArgumentException e)
        {
            problems.add(where + ": the launcher refuses " + args + ": " + e.getMessage());
            return null;
        }
        if (!"0.0.0.0".equals(daemon.parsed.value("--host")))
        {
            problems.add(where + ": --host is " + daemon.parsed.value("--host") + "; only 0.0.0.0 is reachable " +
                "from other containers");
        }
        return daemon;
    }

    static void checkHealthCommand(
        final String where, final List<String> command, final Daemon daemon, final List<String> problems)
    {
        if (command.size() < 3 || !command.get(0).endsWith(HEALTHCHECK))
        {
            problems.add(where + " " + command + " is not " + HEALTHCHECK + " KIND PORT");
            return;
        }
        final String kind = command.get(1);
        if (!HEALTH_KIND.get(daemon.role).equals(kind))
        {
            problems.add(where + " asks '" + kind + "' of a " + daemon.role + "; it needs '" +
                HEALTH_KIND.get(daemon.role) + "'");
        }
        if (!String.valueOf(daemon.port).equals(command.get(2)))
        {
            problems.add(where + " checks port " + command.get(2) + " but the " + daemon.role + " listens on " +
                daemon.port);
        }
    }

    /**
     * Every mapd stores on every logd and replicates to every other mapd; mond watches all of them; the gateway
     * serves from every mapd and asks mond. Each address must name a daemon of the right role on its port.
     */
    static void checkReferences(
        final Map<String, Daemon> daemons, final Map<String, Endpoint> endpoints, final List<String> problems)
    {
        final Map<String, Set<String>> byRole = new LinkedHashMap<>();
        final Map<String, String> addressOf = new LinkedHashMap<>();
        for (final Map.Entry<String, Endpoint> endpoint : endpoints.entrySet())
        {
            if (!endpoint.getKey().endsWith(":*") && !endpoint.getValue().who.startsWith("Service "))
            {
                byRole.computeIfAbsent(endpoint.getValue().role, r -> new TreeSet<>()).add(endpoint.getKey());
                addressOf.put(endpoint.getValue().who, endpoint.getKey());
            }
        }
        for (final Map.Entry<String, Daemon> entry : daemons.entrySet())
        {
            final String where = entry.getKey();
            final Daemon daemon = entry.getValue();
            switch (daemon.role)
            {
                case "mapd":
                    expectAll(where, daemon, "--logds", "logd", byRole, endpoints, problems);
                    final Set<String> others = new TreeSet<>(byRole.getOrDefault("mapd", Set.of()));
                    others.remove(addressOf.get(where));
                    expect(where, daemon, "--peers", "mapd", others, endpoints, problems);
                    final int rf = Integer.parseInt(daemon.parsed.value("--rf"));
                    final int logds = byRole.getOrDefault("logd", Set.of()).size();
                    if (rf > logds)
                    {
                        problems.add(where + ": --rf " + rf + " but only " + logds + " logds");
                    }
                    break;
                case "mond":
                    expectAll(where, daemon, "--mapds", "mapd", byRole, endpoints, problems);
                    expectAll(where, daemon, "--logds", "logd", byRole, endpoints, problems);
                    break;
                case "gateway":
                    expectAll(where, daemon, "--mapds", "mapd", byRole, endpoints, problems);
                    final String mond = daemon.parsed.value("--mond");
                    if (mond == null)
                    {
                        problems.add(where + ": no --mond, so GET /cluster answers 503");
                    }
                    else
                    {
                        checkAddress(where, "--mond", mond, "mond", endpoints, problems);
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private static void expectAll(
        final String where,
        final Daemon daemon,
        final String option,
        final String role,
        final Map<String, Set<String>> byRole,
        final Map<String, Endpoint> endpoints,
        final List<String> problems)
    {
        expect(where, daemon, option, role, byRole.getOrDefault(role, Set.of()), endpoints, problems);
    }

    private static void expect(
        final String where,
        final Daemon daemon,
        final String option,
        final String role,
        final Set<String> expected,
        final Map<String, Endpoint> endpoints,
        final List<String> problems)
    {
        final List<String> addresses = daemon.addresses(option);
        for (final String address : addresses)
        {
            checkAddress(where, option, address, role, endpoints, problems);
        }
        final Set<String> named = new TreeSet<>(addresses);
        if (!named.equals(expected))
        {
            problems.add(where + ": " + option + " lists " + named + " but the " + role + "s it should list are " +
                expected);
        }
        if (named.size() != addresses.size())
        {
            problems.add(where + ": " + option + " lists an address twice: " + addresses);
        }
    }

    private static void checkAddress(
        final String where,
        final String option,
        final String address,
        final String role,
        final Map<String, Endpoint> endpoints,
        final List<String> problems)
    {
        final Endpoint endpoint = endpoints.get(address);
        if (endpoint == null)
        {
            final String host = address.substring(0, Math.max(0, address.lastIndexOf(':')));
            final Endpoint onHost = endpoints.get(host + ":*");
            problems.add(where + ": " + option + " names " + address + ", " + (onHost == null ?
                "which no daemon of this manifest is" : "but " + onHost.who + " listens on another port"));
        }
        else if (!role.equals(endpoint.role))
        {
            problems.add(where + ": " + option + " names " + address + ", which is a " + endpoint.role +
                ", not a " + role);
        }
    }

    static boolean isAtOrUnder(final String dir, final String mountPath)
    {
        final String mount = mountPath.endsWith("/") ? mountPath.substring(0, mountPath.length() - 1) : mountPath;
        return dir.equals(mount) || dir.startsWith(mount + "/");
    }

    static String readOrNull(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final java.io.IOException e)
        {
            return null;
        }
    }

    static String name(final Map<String, Object> object)
    {
        return String.valueOf(map(object.get("metadata")).get("name"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(final Object value)
    {
        if (value == null)
        {
            return Map.of();
        }
        if (!(value instanceof Map))
        {
            throw new IllegalArgumentException("expected a mapping, found " + value);
        }
        return (Map<String, Object>)value;
    }

    static List<?> list(final Object value)
    {
        if (value == null)
        {
            return List.of();
        }
        if (!(value instanceof List))
        {
            throw new IllegalArgumentException("expected a list, found " + value);
        }
        return (List<?>)value;
    }

    static List<String> strings(final Object value)
    {
        if (value instanceof String)
        {
            throw new IllegalArgumentException("a command or list given as one string (" + value + "): give a " +
                "YAML list, so nothing depends on how a shell would split it");
        }
        final List<String> strings = new ArrayList<>();
        for (final Object item : list(value))
        {
            strings.add(String.valueOf(item));
        }
        return strings;
    }
}
