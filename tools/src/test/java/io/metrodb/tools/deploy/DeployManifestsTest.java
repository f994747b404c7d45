package io.metrodb.tools.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/'s Dockerfile, docker-compose file and Kubernetes manifests, checked without a container engine (none
 * runs on the build machine): every YAML file parses; every container's command line is one the launcher's own
 * picocli model accepts (subcommand, options, required options, values), with the image's entrypoint expanding
 * what it adds; ports, healthchecks, readiness probes, Services, peers, logds and volumes agree
 * ({@link DeployChecker}). The checker itself is shown to fail on broken copies of each manifest.
 */
class DeployManifestsTest
{
    private static final Path ROOT = repositoryRoot();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final Path COMPOSE = DEPLOY.resolve("docker-compose/docker-compose.yaml");
    private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    private static final Path DOCKERFILE = DEPLOY.resolve("docker/Dockerfile");
    private static final Path DOCKERIGNORE = DEPLOY.resolve("docker/Dockerfile.dockerignore");
    private static final Path ENTRYPOINT = DEPLOY.resolve("docker/entrypoint.sh");
    /** The entrypoint's answers by input; a refusal (IllegalStateException) is not kept. */
    private static final Map<List<String>, List<String>> ENTRYPOINT_RUNS = new ConcurrentHashMap<>();

    @Test
    void shouldParseEveryYamlFileUnderDeploy() throws IOException
    {
        final List<Path> files = yamlFiles(DEPLOY);
        assertTrue(files.contains(COMPOSE), "found " + files);
        assertTrue(files.stream().filter(f -> f.startsWith(KUBERNETES)).count() >= 4, "found " + files);
        for (final Path file : files)
        {
            final List<Object> documents = new ArrayList<>();
            DeployChecker.yaml().loadAll(read(file)).forEach(documents::add);
            assertFalse(documents.isEmpty(), file + " holds no YAML document");
        }
    }

    @Test
    void shouldFindComposeFileConsistentWithTheLauncher() throws IOException
    {
        assertEquals(List.of(), ComposeChecks.checkCompose(read(COMPOSE), COMPOSE.getParent()));
    }

    @Test
    void shouldRunThePrototypesShapeInCompose() throws IOException
    {
        final Map<String, Object> services = DeployChecker.map(
            DeployChecker.map(DeployChecker.yaml().load(read(COMPOSE))).get("services"));
        final Map<String, Long> roles = services.values().stream()
            .map(s -> (String)DeployChecker.list(DeployChecker.map(s).get("command")).get(0))
            .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("logd", 3L, "mapd", 3L, "mond", 1L, "gateway", 1L), roles);
        for (final Object service : services.values())
        {
            final List<?> command = DeployChecker.list(DeployChecker.map(service).get("command"));
            if ("mapd".equals(command.get(0)))
            {
                assertEquals("2", command.get(command.indexOf("--rf") + 1), "every mapd at RF 2: " + command);
            }
        }
    }

    @Test
    void shouldFindKubernetesManifestsConsistentWithTheLauncher() throws IOException
    {
        assertEquals(List.of(), KubernetesChecks.checkKubernetes(kubernetesTexts(), DeployManifestsTest::entrypoint));
    }

    @Test
    void shouldRunLogdAndMapdAsStatefulSetsOfThree() throws IOException
    {
        final Map<String, String> kinds = new TreeMap<>();
        for (final String text : kubernetesTexts())
        {
            for (final Object document : DeployChecker.yaml().loadAll(text))
            {
                final Map<String, Object> object = DeployChecker.map(document);
                final Map<String, Object> spec = DeployChecker.map(object.get("spec"));
                if (!"Service".equals(object.get("kind")))
                {
                    kinds.put(DeployChecker.name(object), object.get("kind") + "/" + spec.get("replicas"));
                }
            }
        }
        assertEquals(Map.of("logd", "StatefulSet/3", "mapd", "StatefulSet/3", "mond", "Deployment/1",
            "gateway", "Deployment/2"), kinds);
    }

    @Test
    void shouldFindDockerfileMatchingTheBuildLayout() throws IOException
    {
        assertEquals(List.of(), DockerfileChecks.checkDockerfile(read(DOCKERFILE), read(DOCKERIGNORE), ROOT));
    }

    @Test
    void shouldAppendEveryOtherMapdAsPeersInTheEntrypoint()
    {
        final Map<String, String> env = Map.of("METRODB_PEER_SET", "mapd-0.mapd:7550,mapd-1.mapd:7550,mapd-2.mapd:7550",
            "METRODB_POD_NAME", "mapd-1");
        assertEquals(List.of("mapd", "--dir", "/var/lib/metrodb data", "--peers", "mapd-0.mapd:7550,mapd-2.mapd:7550"),
            entrypoint(List.of("mapd", "--dir", "/var/lib/metrodb data"), env));
        assertEquals(List.of("logd", "--port", "7558"), entrypoint(List.of("logd", "--port", "7558"), Map.of()));
    }

    /**
     * A copy of a manifest with one line changed, and the problem the checker must report for it.
     */
    static Stream<Arguments> brokenManifests()
    {
        return Stream.of(
            compose("an option the launcher does not have",
                "\"--rf\", \"2\",\n              \"--logds\", \"logd1:7558,logd2:7558,logd3:7558\",\n              \"--peers\", \"mapd1:7550,mapd3:7550\"",
                "\"--replicas\", \"2\",\n              \"--logds\", \"logd1:7558,logd2:7558,logd3:7558\",\n              \"--peers\", \"mapd1:7550,mapd3:7550\"",
                "service mapd2: the launcher refuses"),
            compose("a required option missing",
                "command: [\"mond\", \"--dir\", \"/var/lib/metrodb\", \"--host\", \"0.0.0.0\", \"--port\", \"7570\",\n              \"--mapds\", \"mapd1:7550,mapd2:7550,mapd3:7550\",\n              \"--logds\", \"logd1:7558,logd2:7558,logd3:7558\"]",
                "command: [\"mond\", \"--dir\", \"/var/lib/metrodb\", \"--host\", \"0.0.0.0\", \"--port\", \"7570\",\n              \"--mapds\", \"mapd1:7550,mapd2:7550,mapd3:7550\"]",
                "Missing required option: '--logds"),
            compose("a mapd that does not peer with every other",
                "\"--peers\", \"mapd1:7550,mapd3:7550\"", "\"--peers\", \"mapd1:7550\"",
                "service mapd2: --peers lists [mapd1:7550] but the mapds it should list are [mapd1:7550, mapd3:7550]"),
            compose("a mapd that lists itself as a peer",
                "\"--peers\", \"mapd1:7550,mapd3:7550\"", "\"--peers\", \"mapd1:7550,mapd2:7550,mapd3:7550\"",
                "service mapd2: --peers lists"),
            compose("a logd on another port than the others name",
                "command: [\"logd\", \"--dir\", \"/var/lib/metrodb\", \"--host\", \"0.0.0.0\", \"--port\", \"7558\"]\n    expose: [\"7558\"]\n    volumes: [\"logd3-data",
                "command: [\"logd\", \"--dir\", \"/var/lib/metrodb\", \"--host\", \"0.0.0.0\", \"--port\", \"7559\"]\n    expose: [\"7558\"]\n    volumes: [\"logd3-data",
                "names logd3:7558, but service logd3 listens on another port"),
            compose("a daemon bound to loopback",
                "[\"gateway\", \"--host\", \"0.0.0.0\"", "[\"gateway\", \"--host\", \"127.0.0.1\"",
                "service gateway: --host is 127.0.0.1"),
            compose("a published port nobody listens on",
                "\"127.0.0.1:7552:7550\"", "\"127.0.0.1:7552:7552\"",
                "service mapd3: publishes container port 7552"),
            compose("a healthcheck on the wrong port",
                "test: [\"CMD\", \"metrodb-healthcheck\", \"tcp\", \"7570\"]",
                "test: [\"CMD\", \"metrodb-healthcheck\", \"tcp\", \"7550\"]",
                "service mond: healthcheck checks port 7550"),
            compose("a data directory on no volume",
                "volumes: [\"mapd1-data:/var/lib/metrodb\"]", "volumes: [\"mapd1-data:/data\"]",
                "service mapd1: --dir /var/lib/metrodb is on no volume"),
            compose("two logds on one volume",
                "volumes: [\"logd2-data:/var/lib/metrodb\"]", "volumes: [\"logd1-data:/var/lib/metrodb\"]",
                "service logd2: volume logd1-data is also service logd1's"),
            compose("the gateway not naming mond",
                "\"--mond\", \"mond:7570\"", "\"--mond\", \"mond:7080\"",
                "service gateway: --mond names mond:7080, but service mond listens on another port"),
            kubernetes("mapd.yaml", "an option the launcher does not have",
                "args: [\"mapd\", \"--dir\"", "args: [\"mapd\", \"--data-dir\"",
                "pod mapd-0: the launcher refuses"),
            kubernetes("mapd.yaml", "a peer set missing a pod",
                "value: \"mapd-0.mapd:7550,mapd-1.mapd:7550,mapd-2.mapd:7550\"",
                "value: \"mapd-0.mapd:7550,mapd-1.mapd:7550\"",
                "pod mapd-2: the entrypoint refuses"),
            kubernetes("mapd.yaml", "more mapds than the others know of",
                "replicas: 3", "replicas: 4",
                "pod mapd-3: the entrypoint refuses"),
            kubernetes("logd.yaml", "a logd pod the mapds do not list",
                "replicas: 3", "replicas: 4",
                "--logds lists [logd-0.logd:7558, logd-1.logd:7558, logd-2.logd:7558] but the logds it should list"),
            kubernetes("mapd.yaml", "a readiness probe on another port",
                "command: [\"metrodb-healthcheck\", \"resp\", \"7550\"]",
                "command: [\"metrodb-healthcheck\", \"resp\", \"7558\"]",
                "readinessProbe checks port 7558"),
            kubernetes("logd.yaml", "a container port unlike the daemon's",
                "containerPort: 7558", "containerPort: 7559",
                "StatefulSet logd container logd: no containerPort is 7558"),
            kubernetes("logd.yaml", "a Service without clusterIP: None",
                "  clusterIP: None\n  # Peers", "  # Peers",
                "Service logd is not headless"),
            kubernetes("mond.yaml", "a Service that selects nothing",
                "selector: {app.kubernetes.io/name: metrodb, app.kubernetes.io/component: mond}\n  ports",
                "selector: {app.kubernetes.io/name: metrodb, app.kubernetes.io/component: mondd}\n  ports",
                "Service mond: its selector"),
            kubernetes("gateway.yaml", "no resource requests",
                "requests: {cpu: 200m, memory: 512Mi}", "requests: {memory: 512Mi}",
                "resources.requests lacks cpu"),
            kubernetes("logd.yaml", "a data directory off the volume claim",
                "mountPath: /var/lib/metrodb", "mountPath: /data",
                "StatefulSet logd container logd: --dir /var/lib/metrodb is on no volumeMount"),
            kubernetes("gateway.yaml", "the gateway naming a mapd that is not there",
                "\"--mapds\", \"mapd-0.mapd:7550,mapd-1.mapd:7550,mapd-2.mapd:7550\", \"--mond\"",
                "\"--mapds\", \"mapd-0.mapd:7550,mapd-1.mapd:7550,mapd-3.mapd:7550\", \"--mond\"",
                "--mapds names mapd-3.mapd:7550, which no daemon of this manifest is"),
            dockerfile("a jar the build does not make",
                "COPY tools/target/metrodb-tools.jar /opt/metrodb/tools/target/metrodb-tools.jar",
                "COPY tools/target/metrodb-tools-all.jar /opt/metrodb/tools/target/metrodb-tools.jar",
                "COPY tools/target/metrodb-tools-all.jar: no module tools builds metrodb-tools-all.jar"),
            dockerfile("a jar where the launcher does not look",
                "COPY server/target/metrodb-server.jar /opt/metrodb/server/target/metrodb-server.jar",
                "COPY server/target/metrodb-server.jar /opt/metrodb/lib/metrodb-server.jar",
                "bin/metrodb needs server/target/metrodb-server.jar beside it"),
            dockerfile("the launcher's helper script left out",
                "COPY bin/metrodb bin/java-env.sh /opt/metrodb/bin/", "COPY bin/metrodb /opt/metrodb/bin/",
                "bin/metrodb needs bin/java-env.sh beside it"),
            dockerfile("an entrypoint not in the image",
                "ENTRYPOINT [\"/usr/local/bin/metrodb-entrypoint\"]", "ENTRYPOINT [\"/usr/bin/metrodb\"]",
                "ENTRYPOINT /usr/bin/metrodb is not copied in"),
            dockerfile("running as root",
                "USER metrodb:metrodb", "USER root",
                "USER root: the daemons must not run as root"),
            dockerfile("a port not exposed",
                "EXPOSE 7550 7558 7570 7080", "EXPOSE 7550 7558 7080",
                "lacks mond's port 7570"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("brokenManifests")
    void shouldReportBrokenManifest(
        final String manifest, final String what, final String from, final String to, final String expected)
        throws IOException
    {
        final List<String> problems;
        if (manifest.equals("compose"))
        {
            problems = ComposeChecks.checkCompose(replace(read(COMPOSE), from, to), COMPOSE.getParent());
        }
        else if (manifest.equals("Dockerfile"))
        {
            problems = DockerfileChecks.checkDockerfile(replace(read(DOCKERFILE), from, to), read(DOCKERIGNORE), ROOT);
        }
        else
        {
            final List<String> texts = new ArrayList<>();
            for (final Path file : yamlFiles(KUBERNETES))
            {
                final String text = read(file);
                texts.add(file.getFileName().toString().equals(manifest) ? replace(text, from, to) : text);
            }
            problems = KubernetesChecks.checkKubernetes(texts, DeployManifestsTest::entrypoint);
        }
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
            what + ": expected a problem containing '" + expected + "', got " + problems);
    }

    private static Arguments compose(final String what, final String from, final String to, final String expected)
    {
        return Arguments.of("compose", what, from, to, expected);
    }

    private static Arguments kubernetes(
        final String file, final String what, final String from, final String to, final String expected)
    {
        return Arguments.of(file, what, from, to, expected);
    }

    private static Arguments dockerfile(final String what, final String from, final String to, final String expected)
    {
        return Arguments.of("Dockerfile", what, from, to, expected);
    }

    /**
     * @return the text with its only occurrence of {@code from} replaced; fails when there is none (the manifest
     * changed and this case no longer breaks anything) or several.
     */
    private static String replace(final String text, final String from, final String to)
    {
        final int at = text.indexOf(from);
        assertTrue(at >= 0, "the manifest no longer holds: " + from);
        if (from.equals("replicas: 3"))
        {
            return text.replace(from, to);
        }
        assertEquals(-1, text.indexOf(from, at + 1), "the manifest holds more than once: " + from);
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /**
     * The image's real entrypoint (deploy/docker/entrypoint.sh) as a dry run: what it would hand the launcher.
     */
    static List<String> entrypoint(final List<String> args, final Map<String, String> env)
    {
        // Most broken copies leave a pod's arguments as they were: run the script once per distinct input.
        final List<String> key = new ArrayList<>(args);
        key.add(new TreeMap<>(env).toString());
        final List<String> cached = ENTRYPOINT_RUNS.get(key);
        if (cached != null)
        {
            return cached;
        }
        final List<String> launched = runEntrypoint(args, env);
        ENTRYPOINT_RUNS.put(key, launched);
        return launched;
    }

    private static List<String> runEntrypoint(final List<String> args, final Map<String, String> env)
    {
        final List<String> command = new ArrayList<>(List.of("sh", ENTRYPOINT.toString()));
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("METRODB_"));
        builder.environment().putAll(env);
        builder.environment().put("METRODB_ENTRYPOINT_PRINT", "1");
        try
        {
            final Process process = builder.start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("the entrypoint did not finish");
            }
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException("exit status " + process.exitValue() + ": " + output.strip());
            }
            final List<String> lines = new ArrayList<>(List.of(output.split("\n", -1)));
            lines.remove(lines.size() - 1);
            assertEquals("/opt/metrodb/bin/metrodb", lines.get(0), "the launcher the entrypoint runs");
            return List.copyOf(lines.subList(1, lines.size()));
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot run " + command, e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> kubernetesTexts() throws IOException
    {
        final List<String> texts = new ArrayList<>();
        for (final Path file : yamlFiles(KUBERNETES))
        {
            texts.add(read(file));
        }
        return texts;
    }

    private static List<Path> yamlFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            return files
                .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                .sorted()
                .collect(Collectors.toList());
        }
    }

    private static String read(final Path file) throws IOException
    {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /**
     * Maven runs the tests in the module's directory (basedir = tools/); the repository is its parent.
     */
    private static Path repositoryRoot()
    {
        final String basedir = System.getProperty("basedir");
        final Path module = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        return module.toAbsolutePath().normalize().getParent();
    }
}
