package io.metrodb.server;

import io.metrodb.protocol.netty.SystemdNotify;
import io.metrodb.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real logd in a child JVM under a stand-in for systemd's {@code Type=notify}: started with {@code $NOTIFY_SOCKET}
 * naming a {@link NotifySocket}, it sends {@code READY=1} once it accepts connections, and on SIGTERM
 * {@code STOPPING=1} before it closes cleanly and exits (what {@code deploy/systemd/metrodb-logd@.service} relies on). mapd and mond
 * go through the same {@link ServerRunner}.
 */
class SystemdNotifyIT
{
    private static final Pattern LISTENING = Pattern.compile("listening on ([^:\\s]+):(\\d+)");

    @TempDir
    Path dir;

    @Test
    void shouldTellSystemdReadyOnceListeningAndStoppingOnSigterm() throws Exception
    {
        try (NotifySocket notify = NotifySocket.atPath(dir.resolve("notify").toString()))
        {
            final List<String> options = new ArrayList<>(DaemonJvmOptions.forRunningJvm());
            options.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            try (ChildJvm logd = ChildJvm.start("logd", dir, ChildJvm.classPathOfThisJvm(), options,
                Map.of(SystemdNotify.NOTIFY_SOCKET_ENV, notify.address()), "io.metrodb.cli.Main",
                "logd", "--dir", dir.resolve("data").toString(), "--host", "127.0.0.1", "--port", "0",
                "--segment-size", "1m"))
            {
                final String ready = notify.poll(ChildJvm.START_TIMEOUT_MS);
                assertEquals(SystemdNotify.READY, ready, "logd's first notification; its output:\n" + logd.output());
                // READY=1 means listening: the line is printed and the port accepts a connection.
                final Matcher listening = LISTENING.matcher(logd.output());
                assertTrue(listening.find(), "READY=1 came before the listening line:\n" + logd.output());
                try (Socket client = new Socket())
                {
                    client.connect(new InetSocketAddress(listening.group(1), Integer.parseInt(listening.group(2))),
                        10_000);
                }
                assertNull(notify.poll(0), "one READY=1, nothing else while running");

                // A JVM that ran its shutdown hooks on SIGTERM exits 128 + 15: the units list it in SuccessExitStatus.
                assertEquals(143, logd.stop(), "the JVM's status after SIGTERM:\n" + logd.output());
                final String stopping = notify.poll(10_000);
                assertNotNull(stopping, "no STOPPING=1 on SIGTERM:\n" + logd.output());
                assertEquals(SystemdNotify.STOPPING, stopping);
                assertTrue(logd.output().contains("logd stopped"), "closed cleanly:\n" + logd.output());
                assertFalse(logd.output().contains("could not send"), logd.output());
            }
        }
    }
}
