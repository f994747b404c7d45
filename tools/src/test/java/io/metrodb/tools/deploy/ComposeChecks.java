package io.metrodb.tools.deploy;

import io.metrodb.tools.deploy.DeployChecker.Daemon;
import io.metrodb.tools.deploy.DeployChecker.Endpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.metrodb.tools.deploy.DeployChecker.HEALTHCHECK;
import static io.metrodb.tools.deploy.DeployChecker.checkHealthCommand;
import static io.metrodb.tools.deploy.DeployChecker.checkReferences;
import static io.metrodb.tools.deploy.DeployChecker.isAtOrUnder;
import static io.metrodb.tools.deploy.DeployChecker.map;
import static io.metrodb.tools.deploy.DeployChecker.parseDaemon;
import static io.metrodb.tools.deploy.DeployChecker.strings;
import static io.metrodb.tools.deploy.DeployChecker.yaml;

/**
 * Checks deploy/'s docker-compose file: each service's command line, its published or exposed port, its
 * healthcheck, its build and its data volume, and the addresses the daemons give one another
 * ({@link DeployChecker} holds what the checks share).
 */
final class ComposeChecks
{
    private ComposeChecks()
    {
    }

    /**
     * @param text       the compose file.
     * @param composeDir its directory (a build context is relative to it).
     * @return the problems found.
     */
    static List<String> checkCompose(final String text, final Path composeDir)
    {
        final List<String> problems = new ArrayList<>();
        final Map<String, Object> root = map(yaml().load(text));
        final Map<String, Object> services = map(root.get("services"));
        final Map<String, Object> declaredVolumes = root.containsKey("volumes") ? map(root.get("volumes")) : Map.of();
        final Map<String, Daemon> daemons = new LinkedHashMap<>();
        final Map<String, String> volumeOwners = new LinkedHashMap<>();

        for (final Map.Entry<String, Object> entry : services.entrySet())
        {
            final String name = entry.getKey();
            final Map<String, Object> service = map(entry.getValue());
            final String where = "service " + name;
            final Daemon daemon = parseDaemon(where, strings(service.get("command")), problems);
            if (daemon == null)
            {
                continue;
            }
            daemons.put(where, daemon);
            if (!"unless-stopped".equals(service.get("restart")))
            {
                problems.add(where + ": restart is " + service.get("restart") + ", not unless-stopped");
            }
            checkBuild(where, service, composeDir, problems);

            // Ports: what is published or exposed must be what the daemon listens on.
            boolean reachable = false;
            for (final String mapping : strings(service.get("ports")))
            {
                final String[] parts = mapping.split(":");
                final int containerPort = Integer.parseInt(parts[parts.length - 1].replace("/tcp", ""));
                if (containerPort != daemon.port)
                {
                    problems.add(where + ": publishes container port " + containerPort + " (" + mapping +
                        ") but listens on " + daemon.port);
                }
                reachable |= containerPort == daemon.port;
            }
            for (final String exposed : strings(service.get("expose")))
            {
                if (Integer.parseInt(exposed) != daemon.port)
                {
                    problems.add(where + ": exposes " + exposed + " but listens on " + daemon.port);
                }
                reachable |= Integer.parseInt(exposed) == daemon.port;
            }
            if (!reachable)
            {
                problems.add(where + ": neither ports nor expose name its port " + daemon.port);
            }

            // The healthcheck asks the daemon's own port the right way.
            final Object healthcheck = service.get("healthcheck");
            if (healthcheck == null)
            {
                problems.add(where + ": no healthcheck");
            }
            else
            {
                final List<String> test = strings(map(healthcheck).get("test"));
                if (test.isEmpty() || !"CMD".equals(test.get(0)))
                {
                    problems.add(where + ": healthcheck test " + test + " is not [CMD, " + HEALTHCHECK + ", ...]");
                }
                else
                {
                    checkHealthCommand(where + ": healthcheck", test.subList(1, test.size()), daemon, problems);
                }
            }

            // --dir on a named volume of its own.
            if (daemon.dir != null)
            {
                String volume = null;
                for (final String mount : strings(service.get("volumes")))
                {
                    final String[] parts = mount.split(":");
                    if (parts.length >= 2 && isAtOrUnder(daemon.dir, parts[1]))
                    {
                        volume = parts[0];
                    }
                }
                if (volume == null)
                {
                    problems.add(where + ": --dir " + daemon.dir + " is on no volume: its data would go with the " +
                        "container");
                }
                else if (volume.startsWith("/") || volume.startsWith("."))
                {
                    problems.add(where + ": --dir " + daemon.dir + " is on a bind mount " + volume +
                        ", not a named volume");
                }
                else if (!declaredVolumes.containsKey(volume))
                {
                    problems.add(where + ": volume " + volume + " is not declared under volumes:");
                }
                else if (volumeOwners.containsKey(volume))
                {
                    problems.add(where + ": volume " + volume + " is also " + volumeOwners.get(volume) + "'s");
                }
                else
                {
                    volumeOwners.put(volume, where);
                }
            }
        }

        // Every service a daemon names is in the file, with the role and port it has there.
        final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        for (final Map.Entry<String, Daemon> entry : daemons.entrySet())
        {
            final String service = entry.getKey().substring("service ".length());
            final Endpoint endpoint = new Endpoint(entry.getValue().role, entry.getKey());
            endpoints.put(service + ":" + entry.getValue().port, endpoint);
            endpoints.put(service + ":*", endpoint);
        }
        checkReferences(daemons, endpoints, problems);
        return problems;
    }

    private static void checkBuild(
        final String where, final Map<String, Object> service, final Path composeDir, final List<String> problems)
    {
        if (service.get("build") == null)
        {
            return;
        }
        final Map<String, Object> build = map(service.get("build"));
        final Path context = composeDir.resolve(String.valueOf(build.get("context"))).normalize();
        final Path dockerfile = context.resolve(String.valueOf(build.getOrDefault("dockerfile", "Dockerfile")));
        if (!Files.isRegularFile(dockerfile))
        {
            problems.add(where + ": build names " + dockerfile + ", which does not exist");
        }
    }
}
