package io.metrodb.tools.deploy;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks deploy/'s manifests without a container engine: each container's command line against the launcher's
 * picocli model ({@link LauncherModel}), and the manifest against itself: the ports in the options against the
 * published and container ports, the healthchecks, the readiness probes and the Services; every mapd's
 * {@code --logds} and {@code --peers}, mond's and the gateway's lists against the daemons the manifest runs;
 * {@code --dir} against the volumes. Each method returns the problems found, one line each; none is a pass.
 */
final class DeployChecker
{
    /** Where the image keeps a daemon's data (Dockerfile: VOLUME, the user's home). */
    static final String DATA_DIR = "/var/lib/metrodb";
    /** The program a healthcheck or exec probe runs (Dockerfile installs deploy/docker/healthcheck.sh there). */
    static final String HEALTHCHECK = "metrodb-healthcheck";

    private static final Set<String> DAEMONS = Set.of("logd", "mapd", "mond", "gateway");
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

    // ---------------------------------------------------------------- docker-compose

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

    // ---------------------------------------------------------------- Kubernetes

    /**
     * @param documents  every manifest file's text (each may hold several documents).
     * @param entrypoint the image's entrypoint, to expand what it adds (a mapd's {@code --peers}).
     * @return the problems found.
     */
    static List<String> checkKubernetes(final List<String> documents, final Entrypoint entrypoint)
    {
        final List<String> problems = new ArrayList<>();
        final List<Map<String, Object>> services = new ArrayList<>();
        final List<Map<String, Object>> workloads = new ArrayList<>();
        for (final String text : documents)
        {
            for (final Object document : yaml().loadAll(text))
            {
                if (document == null)
                {
                    continue;
                }
                final Map<String, Object> object = map(document);
                final String kind = String.valueOf(object.get("kind"));
                if (object.get("apiVersion") == null || object.get("kind") == null)
                {
                    problems.add("a document without apiVersion and kind: " + object.keySet());
                }
                else if ("Service".equals(kind))
                {
                    services.add(object);
                }
                else if ("StatefulSet".equals(kind) || "Deployment".equals(kind))
                {
                    workloads.add(object);
                }
            }
        }

        final Map<String, Daemon> daemons = new LinkedHashMap<>();
        final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        final List<Pod> pods = new ArrayList<>();
        for (final Map<String, Object> workload : workloads)
        {
            checkWorkload(workload, services, entrypoint, daemons, endpoints, pods, problems);
        }
        // A Service's name reaches the pods it selects, on each of its ports.
        for (final Map<String, Object> service : services)
        {
            final String name = name(service);
            final Map<String, Object> spec = map(service.get("spec"));
            final Map<String, Object> selector = spec.containsKey("selector") ? map(spec.get("selector")) : Map.of();
            final List<Pod> selected = new ArrayList<>();
            for (final Pod pod : pods)
            {
                if (!selector.isEmpty() && pod.labels.entrySet().containsAll(selector.entrySet()))
                {
                    selected.add(pod);
                }
            }
            if (selected.isEmpty())
            {
                problems.add("Service " + name + ": its selector " + selector + " matches no pod");
                continue;
            }
            for (final Object portObject : list(spec.get("ports")))
            {
                final Map<String, Object> port = map(portObject);
                final Object target = port.getOrDefault("targetPort", port.get("port"));
                for (final Pod pod : selected)
                {
                    final Integer targetPort = pod.resolvePort(target);
                    if (targetPort == null || targetPort != pod.daemon.port)
                    {
                        problems.add("Service " + name + ": port " + port.get("port") + " targets " + target +
                            ", but " + pod.where + " listens on " + pod.daemon.port);
                    }
                }
                if (!"None".equals(spec.get("clusterIP")))
                {
                    endpoints.put(name + ":" + port.get("port"), new Endpoint(selected.get(0).daemon.role,
                        "Service " + name));
                }
            }
        }
        checkReferences(daemons, endpoints, problems);
        return problems;
    }

    private static void checkWorkload(
        final Map<String, Object> workload,
        final List<Map<String, Object>> services,
        final Entrypoint entrypoint,
        final Map<String, Daemon> daemons,
        final Map<String, Endpoint> endpoints,
        final List<Pod> pods,
        final List<String> problems)
    {
        final String kind = String.valueOf(workload.get("kind"));
        final String name = name(workload);
        final String where = kind + " " + name;
        final Map<String, Object> spec = map(workload.get("spec"));
        final Map<String, Object> template = map(spec.get("template"));
        final Map<String, Object> labels = map(map(template.get("metadata")).get("labels"));
        final Map<String, Object> matchLabels = map(map(spec.get("selector")).get("matchLabels"));
        if (!labels.entrySet().containsAll(matchLabels.entrySet()))
        {
            problems.add(where + ": selector " + matchLabels + " does not match its pods' labels " + labels);
        }
        final int replicas = spec.get("replicas") == null ? 1 : ((Number)spec.get("replicas")).intValue();
        final Map<String, Object> podSpec = map(template.get("spec"));
        final Set<String> claimTemplates = new TreeSet<>();
        for (final Object claim : list(spec.get("volumeClaimTemplates")))
        {
            claimTemplates.add(name(map(claim)));
        }
        final Set<String> podVolumes = new TreeSet<>();
        for (final Object volume : list(podSpec.get("volumes")))
        {
            podVolumes.add(String.valueOf(map(volume).get("name")));
        }

        for (final Object containerObject : list(podSpec.get("containers")))
        {
            final Map<String, Object> container = map(containerObject);
            final String containerWhere = where + " container " + container.get("name");
            if (container.get("command") != null)
            {
                problems.add(containerWhere + ": command replaces the image's entrypoint; give args only");
                continue;
            }
            final List<String> args = strings(container.get("args"));
            final Map<String, String> env = new LinkedHashMap<>();
            for (final Object variable : list(container.get("env")))
            {
                final Map<String, Object> entry = map(variable);
                if (entry.get("value") != null)
                {
                    env.put(String.valueOf(entry.get("name")), String.valueOf(entry.get("value")));
                }
            }

            // Every pod of the set, as the entrypoint expands its arguments for it.
            final boolean stateful = "StatefulSet".equals(kind);
            final int podCount = stateful ? replicas : 1;
            Daemon first = null;
            for (int ordinal = 0; ordinal < podCount; ordinal++)
            {
                final String podName = stateful ? name + "-" + ordinal : name;
                final String podWhere = stateful ? "pod " + podName : containerWhere;
                final Map<String, String> podEnv = new LinkedHashMap<>(env);
                podEnv.put("METRODB_POD_NAME", podName);
                final List<String> launched;
                try
                {
                    launched = entrypoint.resolve(args, podEnv);
                }
                catch (final IllegalStateException e)
                {
                    problems.add(podWhere + ": the entrypoint refuses: " + e.getMessage());
                    continue;
                }
                final Daemon daemon = parseDaemon(podWhere, launched, problems);
                if (daemon == null)
                {
                    continue;
                }
                daemons.put(podWhere, daemon);
                first = first == null ? daemon : first;
                final Pod pod = new Pod(podWhere, labels, container, daemon);
                pods.add(pod);
                if (ordinal > 0)
                {
                    continue;
                }
                checkContainer(containerWhere, container, daemon, pod, problems);
                checkDataVolume(containerWhere, container, daemon, stateful, claimTemplates, podVolumes, problems);
            }

            if (stateful)
            {
                final String serviceName = String.valueOf(spec.get("serviceName"));
                final Map<String, Object> headless = services.stream()
                    .filter(s -> serviceName.equals(name(s)))
                    .findFirst().orElse(null);
                if (headless == null)
                {
                    problems.add(where + ": serviceName " + serviceName + " names no Service");
                }
                else if (!"None".equals(map(headless.get("spec")).get("clusterIP")))
                {
                    problems.add(where + ": Service " + serviceName + " is not headless (clusterIP: None), so " +
                        "its pods have no stable DNS names");
                }
                for (int ordinal = 0; first != null && ordinal < replicas; ordinal++)
                {
                    endpoints.put(name + "-" + ordinal + "." + serviceName + ":" + first.port,
                        new Endpoint(first.role, "pod " + name + "-" + ordinal));
                }
            }
        }
    }

    private static void checkContainer(
        final String where,
        final Map<String, Object> container,
        final Daemon daemon,
        final Pod pod,
        final List<String> problems)
    {
        if (pod.containerPorts.values().stream().noneMatch(p -> p == daemon.port))
        {
            problems.add(where + ": no containerPort is " + daemon.port + ", the port it listens on (" +
                pod.containerPorts.values() + ")");
        }
        final Map<String, Object> resources = container.containsKey("resources") ?
            map(container.get("resources")) : Map.of();
        final Map<String, Object> requests = resources.containsKey("requests") ?
            map(resources.get("requests")) : Map.of();
        if (!requests.containsKey("cpu") || !requests.containsKey("memory"))
        {
            problems.add(where + ": resources.requests lacks cpu or memory: " + requests);
        }
        final Object probeObject = container.get("readinessProbe");
        if (probeObject == null)
        {
            problems.add(where + ": no readinessProbe");
            return;
        }
        final Map<String, Object> probe = map(probeObject);
        if (probe.containsKey("tcpSocket") || probe.containsKey("httpGet"))
        {
            final boolean http = probe.containsKey("httpGet");
            final Object port = map(probe.get(http ? "httpGet" : "tcpSocket")).get("port");
            final Integer resolved = pod.resolvePort(port);
            if (resolved == null || resolved != daemon.port)
            {
                problems.add(where + ": readinessProbe port " + port + " is not " + daemon.port +
                    ", the port it listens on");
            }
            if (http && !"gateway".equals(daemon.role))
            {
                problems.add(where + ": an httpGet readinessProbe on a " + daemon.role + ", which speaks no HTTP");
            }
        }
        else if (probe.containsKey("exec"))
        {
            checkHealthCommand(where + ": readinessProbe", strings(map(probe.get("exec")).get("command")), daemon,
                problems);
        }
        else
        {
            problems.add(where + ": readinessProbe is neither tcpSocket, httpGet nor exec");
        }
    }

    private static void checkDataVolume(
        final String where,
        final Map<String, Object> container,
        final Daemon daemon,
        final boolean stateful,
        final Set<String> claimTemplates,
        final Set<String> podVolumes,
        final List<String> problems)
    {
        final boolean keepsData = "logd".equals(daemon.role) || "mapd".equals(daemon.role);
        if (keepsData && !stateful)
        {
            problems.add(where + ": a " + daemon.role + " keeps data: run it as a StatefulSet with a volume claim");
        }
        if (daemon.dir == null)
        {
            return;
        }
        String volume = null;
        for (final Object mountObject : list(container.get("volumeMounts")))
        {
            final Map<String, Object> mount = map(mountObject);
            if (isAtOrUnder(daemon.dir, String.valueOf(mount.get("mountPath"))))
            {
                volume = String.valueOf(mount.get("name"));
            }
        }
        if (volume == null)
        {
            problems.add(where + ": --dir " + daemon.dir + " is on no volumeMount");
        }
        else if (keepsData && !claimTemplates.contains(volume))
        {
            problems.add(where + ": --dir " + daemon.dir + " is on volume " + volume +
                ", not one of its volumeClaimTemplates " + claimTemplates);
        }
        else if (!claimTemplates.contains(volume) && !podVolumes.contains(volume))
        {
            problems.add(where + ": volumeMount " + volume + " names no volume");
        }
    }

    // ---------------------------------------------------------------- Dockerfile

    /**
     * @param dockerfile   the Dockerfile's text.
     * @param dockerignore its ignore file's text (deploy/docker/Dockerfile.dockerignore), or null.
     * @param root         the repository's root, the build context.
     * @return the problems found.
     */
    static List<String> checkDockerfile(final String dockerfile, final String dockerignore, final Path root)
    {
        final List<String> problems = new ArrayList<>();
        final Map<String, String> copies = new LinkedHashMap<>();
        final Map<String, String> env = new LinkedHashMap<>();
        String user = null;
        String entrypoint = null;
        final Set<String> volumes = new TreeSet<>();
        final Set<Integer> exposed = new TreeSet<>();
        for (final String line : dockerfile.replace("\\\n", " ").split("\n"))
        {
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#"))
            {
                continue;
            }
            final String[] words = trimmed.split("\\s+");
            final String instruction = words[0].toUpperCase();
            final List<String> rest = Arrays.asList(words).subList(1, words.length);
            switch (instruction)
            {
                case "COPY":
                    final String destination = rest.get(rest.size() - 1);
                    for (final String source : rest.subList(0, rest.size() - 1))
                    {
                        final String file = source.substring(source.lastIndexOf('/') + 1);
                        copies.put(destination.endsWith("/") ? destination + file : destination, source);
                    }
                    break;
                case "ENV":
                    final String[] pair = rest.get(0).split("=", 2);
                    env.put(pair[0], pair.length > 1 ? pair[1] : rest.get(1));
                    break;
                case "USER":
                    user = rest.get(0);
                    break;
                case "ENTRYPOINT":
                    entrypoint = trimmed.substring("ENTRYPOINT".length()).trim();
                    break;
                case "VOLUME":
                    volumes.addAll(rest);
                    break;
                case "EXPOSE":
                    rest.forEach(p -> exposed.add(Integer.parseInt(p.replace("/tcp", ""))));
                    break;
                default:
                    break;
            }
        }

        // Every source exists in the build's layout: a file of the repository, or a jar the build writes.
        final List<String> ignoreExceptions = new ArrayList<>();
        if (dockerignore != null)
        {
            for (final String line : dockerignore.split("\n"))
            {
                if (line.startsWith("!"))
                {
                    ignoreExceptions.add(line.substring(1).trim());
                }
            }
        }
        for (final Map.Entry<String, String> copy : copies.entrySet())
        {
            final String source = copy.getValue();
            final Matcher jar = Pattern.compile("([a-z-]+)/target/([A-Za-z0-9._-]+)\\.jar").matcher(source);
            if (jar.matches())
            {
                final String pom = readOrNull(root.resolve(jar.group(1)).resolve("pom.xml"));
                if (pom == null || !pom.contains("<finalName>" + jar.group(2) + "</finalName>"))
                {
                    problems.add("COPY " + source + ": no module " + jar.group(1) + " builds " + jar.group(2) +
                        ".jar (its pom's shade finalName)");
                }
            }
            else if (!Files.isRegularFile(root.resolve(source)))
            {
                problems.add("COPY " + source + ": no such file in the repository");
            }
            if (dockerignore != null && !ignoreExceptions.contains(source))
            {
                problems.add("COPY " + source + ": Dockerfile.dockerignore leaves it out of the build context");
            }
        }

        // The launcher finds its jars and scripts where it expects them, relative to its bin/.
        final String home = env.getOrDefault("METRODB_HOME", "/opt/metrodb");
        final String launcher = home + "/bin/metrodb";
        if (!copies.containsKey(launcher))
        {
            problems.add("the launcher " + launcher + " ($METRODB_HOME/bin/metrodb) is not copied in");
        }
        else
        {
            final String script = readOrNull(root.resolve(copies.get(launcher)));
            final Matcher needed = Pattern.compile("\\$root/((?:bin/[A-Za-z0-9._-]+)|(?:[a-z-]+/target/[A-Za-z0-9._-]+\\.jar))")
                .matcher(script == null ? "" : script);
            while (needed.find())
            {
                if (!copies.containsKey(home + "/" + needed.group(1)))
                {
                    problems.add("bin/metrodb needs " + needed.group(1) + " beside it, but " + home + "/" +
                        needed.group(1) + " is not copied in");
                }
            }
        }

        // The entrypoint is in the image, and runs that launcher.
        final Matcher entry = Pattern.compile("^\\[\\s*\"([^\"]+)\"").matcher(entrypoint == null ? "" : entrypoint);
        if (!entry.find())
        {
            problems.add("ENTRYPOINT " + entrypoint + " is not in exec form [\"program\"]");
        }
        else if (!copies.containsKey(entry.group(1)))
        {
            problems.add("ENTRYPOINT " + entry.group(1) + " is not copied in");
        }
        else
        {
            final String script = readOrNull(root.resolve(copies.get(entry.group(1))));
            if (script == null || !script.contains("${METRODB_HOME:-" + home + "}/bin/metrodb"))
            {
                problems.add("ENTRYPOINT " + entry.group(1) + " does not run ${METRODB_HOME:-" + home +
                    "}/bin/metrodb");
            }
        }
        if (copies.keySet().stream().noneMatch(d -> d.endsWith("/" + HEALTHCHECK)))
        {
            problems.add(HEALTHCHECK + ", which the healthchecks run, is not copied in");
        }

        if (user == null || user.startsWith("root") || user.startsWith("0"))
        {
            problems.add("USER " + user + ": the daemons must not run as root");
        }
        if (!volumes.contains(DATA_DIR))
        {
            problems.add("VOLUME " + volumes + " lacks " + DATA_DIR);
        }
        for (final String daemon : DAEMONS)
        {
            final int port = LauncherModel.defaultPort(daemon);
            if (!exposed.contains(port))
            {
                problems.add("EXPOSE " + exposed + " lacks " + daemon + "'s port " + port);
            }
        }
        return problems;
    }

    // ---------------------------------------------------------------- shared

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

    private record Endpoint(String role, String who)
    {
    }

    /**
     * One pod (or one pod template) of a workload.
     */
    private static final class Pod
    {
        final String where;
        final Map<String, Object> labels;
        final Map<String, Integer> containerPorts = new LinkedHashMap<>();
        final Daemon daemon;

        Pod(final String where, final Map<String, Object> labels, final Map<String, Object> container,
            final Daemon daemon)
        {
            this.where = where;
            this.labels = labels;
            this.daemon = daemon;
            for (final Object portObject : list(container.get("ports")))
            {
                final Map<String, Object> port = map(portObject);
                containerPorts.put(String.valueOf(port.getOrDefault("name", port.get("containerPort"))),
                    ((Number)port.get("containerPort")).intValue());
            }
        }

        /**
         * @return a probe's or a Service's target port, a number or a container port's name; null when unknown.
         */
        Integer resolvePort(final Object port)
        {
            if (port instanceof Number)
            {
                return ((Number)port).intValue();
            }
            return containerPorts.get(String.valueOf(port));
        }
    }

    private static Daemon parseDaemon(final String where, final List<String> args, final List<String> problems)
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

    private static void checkHealthCommand(
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
    private static void checkReferences(
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

    private static boolean isAtOrUnder(final String dir, final String mountPath)
    {
        final String mount = mountPath.endsWith("/") ? mountPath.substring(0, mountPath.length() - 1) : mountPath;
        return dir.equals(mount) || dir.startsWith(mount + "/");
    }

    private static String readOrNull(final Path file)
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

    private static List<String> strings(final Object value)
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
