package io.metrodb.gateway;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayCommandTest
{
    @Test
    void shouldTurnOptionsIntoAConfig() throws Exception
    {
        final GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs("--port", "0", "--mapds", "127.0.0.1:7550,localhost:7551",
            "--mond", "127.0.0.1:7570", "--max-value", "512k");
        final GatewayConfig config = command.config();
        assertEquals(0, config.port());
        assertEquals(GatewayConfig.DEFAULT_HOST, config.host());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7550), new InetSocketAddress("localhost", 7551)),
            config.mapds());
        assertEquals(new InetSocketAddress("127.0.0.1", 7570), config.mond());
        assertEquals(512 * 1024, config.maxValueLength());
    }

    @Test
    void shouldDefaultToPort7080WithoutMond() throws Exception
    {
        final GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs("--mapds", "127.0.0.1:7550");
        assertEquals(7080, command.config().port());
        assertNull(command.config().mond());
        assertEquals(64 << 20, command.config().maxValueLength());
    }

    @Test
    void shouldRefuseBadOptionsWithOneLineAndExitCode2()
    {
        assertEquals(2, run("--mapds", "no-port"));
        assertEquals(2, run("--mapds", "127.0.0.1:7550", "--max-value", "lots"));
        assertEquals(2, run("--mapds", "127.0.0.1:7550", "--port", "70000"));
        assertEquals(2, run());
    }

    @Test
    void shouldDescribeEveryOptionInHelp()
    {
        final StringWriter out = new StringWriter();
        final CommandLine commandLine = new CommandLine(new GatewayCommand());
        commandLine.setOut(new PrintWriter(out));
        assertEquals(0, commandLine.execute("--help"));
        for (final String option : new String[] {
            "--host", "--port", "--mapds", "--mond", "--auth-token-file", "--max-value", "--io-threads" })
        {
            assertTrue(out.toString().contains(option), option + " in " + out);
        }
        assertTrue(out.toString().contains("default: 7080"), out.toString());
    }

    @Test
    void shouldNameATakenPortAndExit1() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            final IllegalStateException error = assertThrows(IllegalStateException.class, () -> GatewayServer.start(
                new GatewayConfig("127.0.0.1", taken.getLocalPort(), List.of(new InetSocketAddress("127.0.0.1", 1)),
                    null, null, 1024, 1, 1_000, 1_000)));
            assertTrue(error.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), error.getMessage());
            assertEquals(1, run("--port", Integer.toString(taken.getLocalPort()), "--mapds", "127.0.0.1:1"));
        }
    }

    private static int run(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new GatewayCommand());
        commandLine.setErr(new PrintWriter(new StringWriter()));
        return commandLine.execute(args);
    }
}
