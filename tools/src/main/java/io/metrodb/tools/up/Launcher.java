package io.metrodb.tools.up;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the command line of a child process's JVM: the Java running {@code up}, the options a daemon needs on it
 * (as {@code bin/java-env.sh} chooses them), {@code $METRODB_JAVA_OPTS}, then either the server jar ({@code -jar
 * metrodb-server.jar host logd ... + mapd ...}, {@code ... mond ...}) or, from a classpath (tests, an IDE),
 * {@code -cp <classpath> io.metrodb.cli.Main host ...}.
 */
public final class Launcher
{
    public static final String SERVER_MAIN = "io.metrodb.cli.Main";
    public static final String TOOLS_MAIN = "io.metrodb.tools.ToolsMain";
    /**
     * The JIT's second tier (C2) for methods 4 times hotter than by default. A JVM starting a logd and a mapd
     * spends ~40 % of its CPU in the JIT, much of it C2 compiling start-up code that never runs again; with these
     * it starts on about a fifth less CPU (1.6 s to 1.25 s, measured alone), and the data path, which runs its
     * methods millions of times, still gets C2's code, a fraction of a second of traffic later.
     * {@code $METRODB_JAVA_OPTS}, after them, can set others.
     */
    static final List<String> START_UP_JIT = List.of("-XX:Tier4InvocationThreshold=20000",
        "-XX:Tier4MinInvocationThreshold=2400", "-XX:Tier4CompileThreshold=60000", "-XX:Tier4BackEdgeThreshold=160000");

    private final String java;
    private final List<String> jvmOptions;
    private final Path serverJar;
    private final String classpath;
    private final Path cdsDir;

    /**
     * @param serverJar the server jar, or null to start daemons from {@code classpath}
     * @param classpath the classpath when there is no jar
     * @param cdsDir    where to keep class-data sharing archives of the jar, or null for none
     */
    public Launcher(final Path serverJar, final String classpath, final Path cdsDir)
    {
        this.java = javaBinary();
        this.jvmOptions = jvmOptions(Runtime.version().feature(), System.getenv("METRODB_JAVA_OPTS"));
        this.serverJar = serverJar;
        this.classpath = classpath;
        this.cdsDir = cdsDir;
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
     * @return the command that starts {@code process}.
     */
    public List<String> command(final ProcessSpec process)
    {
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(START_UP_JIT);
        command.addAll(jvmOptions);
        if (serverJar != null)
        {
            command.addAll(cdsOptions(process, serverJar));
            command.add("-jar");
            command.add(serverJar.toString());
        }
        else
        {
            command.add("-cp");
            command.add(classpath);
            command.add(SERVER_MAIN);
        }
        command.addAll(process.commandArgs());
        return command;
    }

    /**
     * Application class-data sharing: a JVM starting from an archive of the classes it loaded last time spends about
     * a third less CPU starting (a mapd: ~2.6 s to ~1.7 s). The first process of each kind (host1) writes its
     * kind's archive when it exits, if there is none or the jar is newer; every process of the
     * kind starts from it when there is one. The JVM checks the archive against the jar and its own version and
     * ignores one that does not match.
     */
    private List<String> cdsOptions(final ProcessSpec process, final Path jar)
    {
        if (cdsDir == null)
        {
            return List.of();
        }
        final Path archive = cdsDir.resolve(process.kind() + "-" + Runtime.version() + ".jsa");
        try
        {
            if (Files.isRegularFile(archive) &&
                Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0)
            {
                return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off");
            }
            final boolean writer = process.name().equals(process.kind()) ||
                process.name().equals(process.kind() + "1");
            if (writer)
            {
                Files.createDirectories(cdsDir);
                Files.deleteIfExists(archive);
                return List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off,cds+dynamic=off");
            }
        }
        catch (final IOException e)
        {
            return List.of();
        }
        return List.of();
    }

    /**
     * @return how daemons start, for the first line {@code up} prints.
     */
    public String describe()
    {
        return serverJar != null ? serverJar.toString() : "the classpath (" + SERVER_MAIN + ")";
    }
}
