package io.metrodb.tools.deploy;

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

import static io.metrodb.tools.deploy.DeployChecker.DAEMONS;
import static io.metrodb.tools.deploy.DeployChecker.DATA_DIR;
import static io.metrodb.tools.deploy.DeployChecker.HEALTHCHECK;
import static io.metrodb.tools.deploy.DeployChecker.readOrNull;

/**
 * Checks deploy/'s Dockerfile against the repository it builds from: every COPY's source exists and is let into
 * the build context, the launcher finds what it needs beside it, the entrypoint runs it, and the image runs as
 * no root user, with its data volume and every daemon's port ({@link DeployChecker} holds what the checks share).
 */
final class DockerfileChecks
{
    private DockerfileChecks()
    {
    }

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
}
