package io.metrodb.server;

import io.metrodb.protocol.netty.SystemdNotify;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SystemdNotify} against a real unix datagram socket ({@link NotifySocket}): what systemd would receive for a
 * path and for an abstract name, and that a missing or unusable {@code $NOTIFY_SOCKET} never throws.
 * {@link SystemdNotifyIT} checks a real logd's READY=1 and STOPPING=1.
 */
class SystemdNotifyTest
{
    private static final long RECEIVE_TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;

    @Test
    void shouldSendTheStateAsOneDatagramToAPathSocket() throws Exception
    {
        try (NotifySocket socket = NotifySocket.atPath(dir.resolve("notify").toString()))
        {
            assertTrue(SystemdNotify.notify(socket.address(), SystemdNotify.READY));
            assertEquals("READY=1", socket.poll(RECEIVE_TIMEOUT_MS));
            assertTrue(SystemdNotify.notify(socket.address(), "STATUS=recovering\nREADY=1"));
            assertEquals("STATUS=recovering\nREADY=1", socket.poll(RECEIVE_TIMEOUT_MS), "one datagram, as sent");
            assertTrue(SystemdNotify.notify(socket.address(), SystemdNotify.STOPPING));
            assertEquals("STOPPING=1", socket.poll(RECEIVE_TIMEOUT_MS));
        }
    }

    @Test
    void shouldSendToAnAbstractNamespaceSocketNamedWithAnAt() throws Exception
    {
        final String name = "metrodb-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifySocket socket = NotifySocket.abstractName(name))
        {
            assertEquals("@" + name, socket.address());
            assertTrue(SystemdNotify.notify(socket.address(), SystemdNotify.READY));
            assertEquals("READY=1", socket.poll(RECEIVE_TIMEOUT_MS));
        }
    }

    @Test
    void shouldMapAnAtToALeadingNulByteAndKeepAPathAsItIs()
    {
        assertArrayEquals(new byte[] {0, 'a', 'b'}, SystemdNotify.addressBytes("@ab"));
        assertArrayEquals("/run/systemd/notify".getBytes(StandardCharsets.UTF_8),
            SystemdNotify.addressBytes("/run/systemd/notify"));
        assertThrows(IllegalArgumentException.class, () -> SystemdNotify.addressBytes("vsock:2:1234"));
        assertThrows(IllegalArgumentException.class, () -> SystemdNotify.addressBytes("@"));
        assertThrows(IllegalArgumentException.class, () -> SystemdNotify.addressBytes("relative/notify"));
        assertEquals(107, SystemdNotify.addressBytes("/" + "x".repeat(106)).length, "the longest path that fits");
        assertThrows(IllegalArgumentException.class, () -> SystemdNotify.addressBytes("/" + "x".repeat(107)),
            "no room for the path in sockaddr_un");
    }

    @Test
    void shouldDoNothingWithoutANotifySocket()
    {
        assertFalse(SystemdNotify.notify(null, SystemdNotify.READY));
        assertFalse(SystemdNotify.notify("", SystemdNotify.READY));
    }

    @Test
    void shouldReturnFalseRatherThanThrowWhenTheSocketCannotBeReached() throws Exception
    {
        assertFalse(SystemdNotify.notify(dir.resolve("nobody-listens").toString(), SystemdNotify.READY),
            "no such socket file");
        assertFalse(SystemdNotify.notify("vsock:2:1234", SystemdNotify.READY), "an address kind not supported");
        assertFalse(SystemdNotify.notify("@metrodb-nobody-" + System.nanoTime(), SystemdNotify.READY),
            "no such abstract socket");
        // A socket that was there and is gone: the daemon outlives its supervisor's socket without an exception.
        final String path = dir.resolve("gone").toString();
        NotifySocket.atPath(path).close();
        assertFalse(SystemdNotify.notify(path, SystemdNotify.STOPPING));
    }
}
