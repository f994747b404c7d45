package io.metrodb.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a daemon's auth token comes from: {@code --auth-token-file} (stripped, never empty), else the
 * {@code METRODB_AUTH_TOKEN} environment variable (blank means none). The environment cases run in a child JVM
 * with a controlled environment, since a JVM cannot change its own.
 */
class AuthTokenIT
{
    @TempDir
    Path dir;

    @Test
    void shouldReadTheTokenFromTheFileWithoutSurroundingWhitespace() throws Exception
    {
        assertEquals("s3cret", AuthToken.resolve(write("token", "s3cret")));
        assertEquals("s3cret", AuthToken.resolve(write("token-newline", "s3cret\n")), "echo > file adds a newline");
        assertEquals("s3cret", AuthToken.resolve(write("token-crlf", "  s3cret\r\n\t")));
        assertEquals("two words", AuthToken.resolve(write("token-inner", "two words\n")), "inner spaces are kept");
        assertEquals("jeton-\u00e9t\u00e9", AuthToken.resolve(write("token-utf8", "jeton-\u00e9t\u00e9\n")), "UTF-8");
    }

    @Test
    void shouldRefuseAnEmptyOrBlankTokenFile() throws Exception
    {
        for (final String content : new String[] {"", "\n", "   \t\r\n"})
        {
            final Path file = write("empty-" + content.length(), content);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AuthToken.resolve(file), "content '" + content + "'");
            assertEquals("auth token file " + file + " is empty", e.getMessage());
        }
    }

    @Test
    void shouldFailWithAnIoErrorWhenTheFileCannotBeRead()
    {
        final Path missing = dir.resolve("missing");
        final NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> AuthToken.resolve(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertThrows(IOException.class, () -> AuthToken.resolve(dir), "a directory is not a token file");
    }

    @Test
    void shouldPreferTheFileToTheEnvironment() throws Exception
    {
        final Path file = write("token", "from-file\n");
        assertEquals("token=[from-file]", resolveInChildJvm("from-env", file));
    }

    @Test
    void shouldTakeTheEnvironmentVariableStrippedWhenNoFileIsGiven() throws Exception
    {
        assertEquals("token=[from-env]", resolveInChildJvm("  from-env \n", null));
    }

    @Test
    void shouldHaveNoTokenWhenTheEnvironmentVariableIsUnsetOrBlank() throws Exception
    {
        assertEquals("no token", resolveInChildJvm(null, null));
        assertEquals("no token", resolveInChildJvm(" \t", null));
    }

    private Path write(final String name, final String content) throws IOException
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Runs {@link Probe} in a JVM whose environment has {@code METRODB_AUTH_TOKEN} set to {@code env} (removed when
     * null).
     *
     * @return what it printed.
     */
    private String resolveInChildJvm(final String env, final Path file) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"),
            Probe.class.getName()));
        if (file != null)
        {
            command.add(file.toString());
        }
        final Path output = Files.createTempFile(dir, "probe", ".out");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
        builder.environment().remove(AuthToken.ENV);
        if (env != null)
        {
            builder.environment().put(AuthToken.ENV, env);
        }
        final Process process = builder.start();
        try
        {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM exits within 60 s");
            final String printed = Files.readString(output, StandardCharsets.UTF_8).strip();
            assertEquals(0, process.exitValue(), printed);
            return printed;
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /**
     * Prints what {@link AuthToken#resolve} gives for the file named by the first argument (none if absent).
     */
    public static final class Probe
    {
        private Probe()
        {
        }

        public static void main(final String[] args) throws IOException
        {
            final String token = AuthToken.resolve(args.length > 0 ? Path.of(args[0]) : null);
            System.out.println(token == null ? "no token" : "token=[" + token + "]");
        }
    }
}
