package io.metrodb.tools.chaos;

import io.metrodb.protocol.testing.Await;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The namespaces chaos cuts links in (root and iproute2; skipped elsewhere, saying why): an echo server in a host of
 * its own, reached from this process through the router; a silent cut holds every byte and a new connection hangs,
 * a reset cut breaks the connection and refuses new ones at once, a heal lets the held bytes through, and closing
 * the network removes its namespaces.
 */
class NetnsNetworkTest
{
    private static final int PORT = 7000;
    private static final int SHORT_MS = 1_000;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void shouldCutSilentlyOrWithResetAndHeal() throws Exception
    {
        final String unavailable = NetnsNetwork.unavailable();
        Assumptions.assumeTrue(unavailable == null, "netns: skipped: " + unavailable);
        final String prefix;
        try (NetnsNetwork network = NetnsNetwork.create(List.of("echo")))
        {
            prefix = "mdbchaos-" + ProcessHandle.current().pid() + "-";
            final List<String> command = new ArrayList<>(network.exec("echo"));
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Echo.class.getName());
            command.add(network.address("echo"));
            command.add(Integer.toString(PORT));
            final Process echo = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try
            {
                final InetSocketAddress address = new InetSocketAddress(network.address("echo"), PORT);
                awaitListening(address, echo);

                try (Socket socket = connect(address, 5_000))
                {
                    assertEquals('a', roundTrip(socket, 'a'), "echo before any cut");

                    network.cut(NetnsNetwork.SELF, "echo", false);
                    socket.getOutputStream().write('b');
                    assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(),
                        "a silent cut: nothing comes back, the connection stays open");
                    assertThrows(SocketTimeoutException.class, () -> connect(address, SHORT_MS).close(),
                        "a silent cut: a new connection hangs");

                    network.heal(NetnsNetwork.SELF, "echo");
                    socket.setSoTimeout(30_000);
                    assertEquals('b', socket.getInputStream().read(), "the byte held by the cut, once healed");
                    assertEquals('c', roundTrip(socket, 'c'), "echo after the heal");

                    network.cut(NetnsNetwork.SELF, "echo", true);
                    assertThrows(SocketException.class, () -> roundTrip(socket, 'd'),
                        "a reset cut: the open connection is broken");
                }
                assertThrows(NoRouteToHostException.class, () -> connect(address, 5_000).close(),
                    "a reset cut: a new connection is refused at once");

                network.heal(NetnsNetwork.SELF, "echo");
                try (Socket socket = connect(address, 5_000))
                {
                    assertEquals('e', roundTrip(socket, 'e'), "echo on a new connection after the heal");
                }
            }
            finally
            {
                echo.destroyForcibly();
                echo.waitFor();
            }
        }
        assertFalse(NetnsNetwork.run(List.of("ip", "netns", "list")).contains(prefix),
            "the namespaces are gone once the network is closed");
    }

    private static void awaitListening(final InetSocketAddress address, final Process server) throws Exception
    {
        Await.until("the echo server listens on " + address + " in its namespace", 30_000, () ->
        {
            if (!server.isAlive())
            {
                throw new AssertionError("the echo server exited with " + server.exitValue());
            }
            try (Socket ignored = connect(address, SHORT_MS))
            {
                return true;
            }
            catch (final IOException e)
            {
                return false;
            }
        });
    }

    private static Socket connect(final InetSocketAddress address, final int timeoutMs) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(SHORT_MS);
            return socket;
        }
        catch (final IOException e)
        {
            socket.close();
            throw e;
        }
    }

    private static int roundTrip(final Socket socket, final char c) throws IOException
    {
        socket.getOutputStream().write(c);
        return socket.getInputStream().read();
    }

    /** An echo server: every byte back, one thread per connection; runs until killed. */
    public static final class Echo
    {
        public static void main(final String[] args) throws IOException
        {
            try (ServerSocket server = new ServerSocket())
            {
                server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
                while (true)
                {
                    final Socket socket = server.accept();
                    final Thread thread = new Thread(() -> echo(socket));
                    thread.setDaemon(true);
                    thread.start();
                }
            }
        }

        private static void echo(final Socket socket)
        {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream())
            {
                int b;
                while ((b = in.read()) >= 0)
                {
                    out.write(b);
                }
            }
            catch (final IOException e)
            {
                // the connection ends
            }
        }
    }
}
