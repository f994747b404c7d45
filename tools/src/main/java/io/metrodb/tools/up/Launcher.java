package io.metrodb.tools.up;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the command line of a node's JVM: the Java running {@code up}, the options a daemon needs on it (as
 * {@code bin/java-env.sh} chooses them), {@code $METRODB_JAVA_OPTS}, then either the jars ({@code -jar
 * metrodb-server.jar logd ...}, {@code -jar metrodb-tools.jar gateway ...}) or, from a classpath (tests, an IDE),
 * {@code -cp <classpath> io.metrodb.cli.Main logd ...}.
 */
public final class Launcher
{
    public static final String SERVER_MAIN = "io.metrodb.cli.Main";
    public static final String TOOLS_MAIN = "io.metrodb.tools.ToolsMain";
    public static final String GATEWAY_COMMAND = "io.metrodb.gateway.GatewayCommand";

    private final String java;
    private final List<String> jvmOptions;
    private final Path serverJar;
    private final Path toolsJar;
    private final String classpath;

    /**
     * @param serverJar the server jar, or null to start daemons from {@code classpath}
     * @param toolsJar  the tools jar, or null to start the gateway from {@code classpath}
     * @param classpath the classpath for what has no jar
     */
    public Launcher(final Path serverJar, final Path toolsJar, final String classpath)
    {
        this.java = javaBinary();
        this.jvmOptions = jvmOptions(Runtime.version().feature(), System.getenv("METRODB_JAVA_OPTS"));
        this.serverJar = serverJar;
        this.toolsJar = toolsJar;
        this.classpath = classpath;
    }

    /**
     * @return the java binary of this JVM.
     */
    public static String javaBinary()
    {
        final Path home = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(home) ? home.toString() : "java";
    }

    /**
     * @param feature   the Java feature version
     * @param extraOpts {@code $METRODB_JAVA_OPTS}, or null
     * @return the JVM options of a daemon: those of {@code bin/java-env.sh}, then {@code extraOpts} split on spaces.
     */
    static List<String> jvmOptions(final int feature, final String extraOpts)
    {
        final List<String> options = new ArrayList<>();
        options.add("--add-exports");
        options.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        if (feature == 17)
        {
            options.add("--add-modules");
            options.add("jdk.incubator.foreign");
        }
        options.add("--enable-native-access=ALL-UNNAMED");
        if (extraOpts != null && !extraOpts.isBlank())
        {
            options.addAll(Arrays.asList(extraOpts.trim().split("\\s+")));
        }
        return List.copyOf(options);
    }

    /**
     * @return the command that starts {@code node}.
     */
    public List<String> command(final NodeSpec node)
    {
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        final boolean gateway = NodeSpec.GATEWAY.equals(node.role());
        final Path jar = gateway ? toolsJar : serverJar;
        if (jar != null)
        {
            command.add("-jar");
            command.add(jar.toString());
        }
        else
        {
            command.add("-cp");
            command.add(classpath);
            command.add(gateway ? TOOLS_MAIN : SERVER_MAIN);
        }
        command.add(node.role());
        command.addAll(node.args());
        return command;
    }

    /**
     * @return how daemons start, for the first line {@code up} prints.
     */
    public String describe()
    {
        return serverJar != null ? serverJar.toString() : "the classpath (" + SERVER_MAIN + ")";
    }
}
