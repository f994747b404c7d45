package io.metrodb.logd;

import io.metrodb.log.LogVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code metrodb logd-verify DIR}: checks every record of a (stopped) logd's segments.
 */
@Command(
    name = "logd-verify",
    mixinStandardHelpOptions = true,
    description = "Check every record of a logd data directory (run it while that logd is stopped). " +
        "Prints records, bytes and every bad record; exits 0 when clean, 1 on corruption, 2 on error.")
public final class LogdVerifyCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "The logd's data directory.")
    Path dir;

    @Override
    public Integer call()
    {
        return LogVerifier.run(dir, System.out);
    }
}
