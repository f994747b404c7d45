package io.metrodb.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a daemon's auth token comes from: a file (so it does not show in {@code ps}) or the
 * {@code METRODB_AUTH_TOKEN} environment variable.
 */
public final class AuthToken
{
    public static final String ENV = "METRODB_AUTH_TOKEN";

    private AuthToken()
    {
    }

    /**
     * @param file token file, or null.
     * @return the token, or null when neither the file nor the environment variable gives one.
     * @throws IOException when the file cannot be read.
     */
    public static String resolve(final Path file) throws IOException
    {
        if (file != null)
        {
            final String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty())
            {
                throw new IllegalArgumentException("auth token file " + file + " is empty");
            }
            return token;
        }
        final String env = System.getenv(ENV);
        return env == null || env.isBlank() ? null : env.strip();
    }
}
