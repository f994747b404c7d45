package io.metrodb.tools.deploy;

import io.metrodb.tools.deploy.DeployChecker.Daemon;
import io.metrodb.tools.deploy.DeployChecker.Endpoint;
import io.metrodb.tools.deploy.DeployChecker.Entrypoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.metrodb.tools.deploy.DeployChecker.checkHealthCommand;
import static io.metrodb.tools.deploy.DeployChecker.checkReferences;
import static io.metrodb.tools.deploy.DeployChecker.isAtOrUnder;
import static io.metrodb.tools.deploy.DeployChecker.list;
import static io.metrodb.tools.deploy.DeployChecker.map;
import static io.metrodb.tools.deploy.DeployChecker.name;
import static io.metrodb.tools.deploy.DeployChecker.parseDaemon;
import static io.metrodb.tools.deploy.DeployChecker.strings;
import static io.metrodb.tools.deploy.DeployChecker.yaml;

/**
 * Checks deploy/'s Kubernetes manifests: each workload's containers as the image's entrypoint expands their
 * arguments for every pod, their ports, readiness probes, resources and data volumes, the Services against the
 * pods they select, and the addresses the daemons give one another ({@link DeployChecker} holds what the checks
 * share).
 */
final class KubernetesChecks
{
    private KubernetesChecks()
    {
    }

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
}
