package io.metrodb.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The child-JVM helper and port retries: what a multi-process test relies on.
 */
class ChildJvmTest
{
    @TempDir
    Path root;

    @Test
    void shouldCaptureOutputWaitForALineAndKillOnClose() throws Exception
    {
        final ChildJvm child;
        try (ChildJvm jvm = ChildJvm.start("echo", root, List.of("-Xmx32m"), Echo.class.getName(), "a", "b"))
        {
            child = jvm;
            jvm.awaitOutput(Pattern.compile("^ready$", Pattern.MULTILINE), ChildJvm.START_TIMEOUT_MS);
            assertTrue(jvm.output().contains("args=a,b"), jvm.output());
            assertTrue(jvm.isAlive());
        }
        assertFalse(child.isAlive(), "close() kills the child");
        assertFalse(ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void shouldFailFastWhenTheChildExitsBeforeTheLine() throws Exception
    {
        try (ChildJvm jvm = ChildJvm.start("missing", root, List.of(), "io.metrodb.testing.NoSuchMain"))
        {
            final IOException failure = assertThrows(IOException.class,
                () -> jvm.awaitOutput(Pattern.compile("ready"), ChildJvm.START_TIMEOUT_MS));
            assertTrue(failure.getMessage().contains("exited with 1"), failure.getMessage());
        }
    }

    @Test
    void shouldRetryABindFailureButNothingElse() throws Exception
    {
        final AtomicInteger attempts = new AtomicInteger();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Ports.HOST)))
        {
            final int port = Ports.retryOnBindFailure(() ->
            {
                final int wanted = attempts.incrementAndGet() == 1 ? taken.getLocalPort() : Ports.unused(1)[0];
                try (ServerSocket socket = new ServerSocket(wanted, 1, InetAddress.getByName(Ports.HOST)))
                {
                    return socket.getLocalPort();
                }
            });
            assertEquals(2, attempts.get(), "the first attempt hit the taken port");
            assertTrue(port != taken.getLocalPort());
        }
        attempts.set(0);
        assertThrows(IllegalStateException.class, () -> Ports.retryOnBindFailure(() ->
        {
            attempts.incrementAndGet();
            throw new IllegalStateException("not a bind failure");
        }));
        assertEquals(1, attempts.get());
        assertTrue(Ports.isBindFailure(new IOException("wrapped", new BindException("Address already in use"))));
        assertTrue(Ports.isBindFailure(new IOException("cannot listen on 127.0.0.1:1: address already in use")));
    }
}
