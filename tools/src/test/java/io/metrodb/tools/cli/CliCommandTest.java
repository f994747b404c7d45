package io.metrodb.tools.cli;

import io.metrodb.protocol.testing.Await;
import io.metrodb.protocol.testing.TestSeed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * metrodb-cli against a real cluster, run in-process with captured output: one-shot commands and their reply
 * formats and exit codes, the prompt on JLine's dumb terminal, files in and out, --latency and --stat.
 */
class CliCommandTest
{
    @TempDir
    static Path root;

    @RegisterExtension
    final TestSeed seed = new TestSeed("cli.file.seed");

    private static CliCluster cluster;
    private static Path history;

    /** What one run printed and returned. */
    record Result(int code, String out, String err)
    {
        @Override
        public String toString()
        {
            return "exit " + code + ", out [" + out + "], err [" + err + "]";
        }
    }

    @BeforeAll
    static void startCluster() throws Exception
    {
        cluster = new CliCluster(root.resolve("cluster"));
        history = root.resolve("history");
    }

    @AfterAll
    static void stopCluster()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private static int port()
    {
        return cluster.mapdPorts[0];
    }

    /**
     * Runs metrodb-cli against mapd 0 with {@code args}; with {@code input}, on the prompt (dumb terminal) or,
     * when {@code prompt} is false, one command per input line.
     */
    private static Result run(final String input, final boolean prompt, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final List<String> all = new ArrayList<>(List.of("-p", Integer.toString(port())));
        all.addAll(Arrays.asList(args));
        final Map<String, String> env = Map.of(CliCommand.HISTORY_ENV, history.toString());
        final CliCommand cli = new CliCommand(
            new ByteArrayInputStream((input == null ? "" : input).getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
            env::get, false, prompt);
        final int code = CliCommand.execute(cli, all.toArray(new String[0]));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Result cli(final String... args)
    {
        return run(null, false, args);
    }

    private static void assertReply(final String expected, final Result result)
    {
        assertEquals(0, result.code(), result.toString());
        assertEquals(expected + "\n", result.out(), result.toString());
    }

    @Test
    void shouldSetGetExistsAndDeleteInOneShotMode()
    {
        assertReply("OK", cli("SET", "one-shot", "hello"));
        assertReply("\"hello\"", cli("get", "one-shot"));
        assertReply("(integer) 1", cli("EXISTS", "one-shot", "one-shot-missing"));
        assertReply("(integer) 1", cli("DEL", "one-shot", "one-shot-missing"));
        assertReply("(nil)", cli("GET", "one-shot"));
        assertReply("(integer) 0", cli("EXISTS", "one-shot"));
    }

    @Test
    void shouldQuoteAndEscapeValuesThatAreNotPrintable()
    {
        assertReply("OK", cli("SETSAFE", "escaped", "caf\u00e9 \"q\"\n\t-1"));
        assertReply("\"caf\\xc3\\xa9 \\\"q\\\"\\n\\t-1\"", cli("GET", "escaped"));
        assertReply("OK", cli("SET", "empty", ""));
        assertReply("\"\"", cli("GET", "empty"));
    }

    @Test
    void shouldSetAndGetManyKeysAsANumberedList()
    {
        assertReply("OK", cli("MSET", "m1", "one", "m2", "two"));
        assertReply("1) \"one\"\n2) (nil)\n3) \"two\"", cli("MGET", "m1", "m-missing", "m2"));
    }

    @Test
    void shouldPingAndShowInfo()
    {
        assertReply("PONG", cli("PING"));
        final Result info = cli("INFO");
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("role:mapd\n"), info.toString());
        assertTrue(info.out().contains("\nkeys:"), info.toString());
        final Result journal = cli("INFO", "journal_");
        assertEquals(0, journal.code(), journal.toString());
        assertFalse(journal.out().isBlank(), journal.toString());
        for (final String line : journal.out().split("\n"))
        {
            assertTrue(line.startsWith("journal_"), journal.toString());
        }
    }

    @Test
    void shouldShowHelp()
    {
        final Result help = cli("HELP");
        assertEquals(0, help.code(), help.toString());
        for (final CommandTable.Spec spec : CommandTable.all())
        {
            assertTrue(help.out().contains(CommandTable.usage(spec)), help.toString());
        }
        assertReply(CommandTable.help("SET"), cli("help", "set"));
    }

    @Test
    void shouldExitTwoOnUsageErrors()
    {
        final Result unknown = cli("FLUSHALL");
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("unknown command 'FLUSHALL'"), unknown.toString());
        assertEquals("", unknown.out(), unknown.toString());

        final Result arity = cli("GET");
        assertEquals(2, arity.code(), arity.toString());
        assertTrue(arity.err().contains("wrong number of arguments for 'get': GET key"), arity.toString());

        final Result option = cli("--no-such-option");
        assertEquals(2, option.code(), option.toString());

        final Result both = cli("--latency", "--stat");
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("--latency and --stat"), both.toString());
    }

    @Test
    void shouldTakeDashWordsAfterTheCommandAsArguments()
    {
        assertReply("OK", cli("SET", "dash", "--count"));
        assertReply("\"--count\"", cli("GET", "dash"));
    }

    @Test
    void shouldExitOneOnAnErrorReply()
    {
        final String tooLarge = "x".repeat(CliCluster.MAX_VALUE + 1);
        final Result result = cli("SET", "too-large", tooLarge);
        assertEquals(1, result.code(), "exit " + result.code() + ", out " + result.out());
        assertTrue(result.out().startsWith("(error) VALUE_TOO_LARGE"), result.out());
        assertReply("(nil)", cli("GET", "too-large"));
    }

    @Test
    void shouldSayWhenTheMapdCannotBeReached() throws Exception
    {
        final int closedPort = CliCluster.freePort();
        for (final List<String> args : List.of(List.of("PING"), List.of("INFO"), List.of("--latency", "--count", "1"),
            List.of("--stat", "--count", "1")))
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final CliCommand cli = new CliCommand(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                name -> null, false, false);
            final List<String> all = new ArrayList<>(List.of("-p", Integer.toString(closedPort)));
            all.addAll(args);
            final int code = CliCommand.execute(cli, all.toArray(new String[0]));
            final String printed = out.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, args + ": " + printed);
            assertTrue(printed.contains("(error) ERR cannot reach 127.0.0.1:" + closedPort), args + ": " + printed);
        }
    }

    @Test
    void shouldRoundTripABinaryFileThroughSetFromFileAndGetToFile() throws Exception
    {
        final byte[] data = new byte[3 << 20];
        seed.random().nextBytes(data);
        final Path in = Files.write(root.resolve("in.bin"), data);
        final Path out = root.resolve("out.bin");
        assertReply("OK", cli("SETFROMFILE", "file-key", in.toString()));
        assertReply("(integer) " + data.length, cli("GETTOFILE", "file-key", out.toString()));
        assertEquals(sha256(data), sha256(Files.readAllBytes(out)), seed.describe());

        final Path none = root.resolve("none.bin");
        assertReply("(nil)", cli("GETTOFILE", "file-key-missing", none.toString()));
        assertFalse(Files.exists(none), "no file for a missing key");
    }

    @Test
    void shouldRefuseAFileOverTheValueLimitWithoutSendingIt() throws Exception
    {
        final Path big = Files.write(root.resolve("big.bin"), new byte[CliCluster.MAX_VALUE + 1]);
        final Result result = cli("SETFROMFILE", "big-key", big.toString());
        assertEquals(1, result.code(), result.toString());
        assertEquals("(error) ERR " + big + " is " + (CliCluster.MAX_VALUE + 1) +
            " bytes, over the mapd's value limit of " + CliCluster.MAX_VALUE + " bytes\n", result.out());
        assertReply("(nil)", cli("GET", "big-key"));

        final Result missing = cli("SETFROMFILE", "big-key", root.resolve("no-such-file").toString());
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.out().startsWith("(error) ERR no such file"), missing.toString());
    }

    @Test
    void shouldRunThePromptOnADumbTerminal() throws Exception
    {
        Files.deleteIfExists(history);
        final String input = "SET prompt-key \"hello world\"\nget prompt-key\nNOPE 1\nGET \"unbalanced\n" +
            "QUIT\nSET after-quit x\n";
        final Result result = run(input, true);
        assertEquals(0, result.code(), result.toString());
        final String prompt = "127.0.0.1:" + port() + "> ";
        assertTrue(result.out().contains(prompt), result.toString());
        assertTrue(result.out().contains("OK\n"), result.toString());
        assertTrue(result.out().contains("\"hello world\"\n"), result.toString());
        assertTrue(result.out().contains("(error) ERR unknown command 'NOPE'"), result.toString());
        assertTrue(result.out().contains("(error) ERR Invalid argument(s): unbalanced quotes"), result.toString());
        assertReply("(nil)", cli("GET", "after-quit"));

        assertTrue(Files.exists(history), "history file written");
        final String saved = Files.readString(history, StandardCharsets.UTF_8);
        assertTrue(saved.contains("get prompt-key"), saved);
        assertTrue(saved.contains("NOPE 1"), saved);
    }

    @Test
    void shouldRunOneCommandPerLineWhenTheInputIsNotATerminal()
    {
        final Result result = run("SET piped 1\n\nGET piped\nGET\n", false);
        assertEquals(1, result.code(), result.toString());
        assertEquals("OK\n\"1\"\n(error) ERR wrong number of arguments for 'get': GET key\n", result.out());
    }

    @Test
    void shouldShowMondsViewAsATable() throws Exception
    {
        Await.until("the mapd shows every mapd and logd UP in CLUSTER", 60_000,
            () -> everyNodeUp(cli("CLUSTER").out()));
        final Result fromMapd = cli("CLUSTER");
        assertEquals(0, fromMapd.code(), fromMapd.toString());
        assertTrue(fromMapd.out().startsWith("ID"), fromMapd.toString());
        assertTrue(fromMapd.out().contains("epoch:"), fromMapd.toString());

        final Result fromMond = cli("--mond", "127.0.0.1:" + cluster.mond.port(), "CLUSTER");
        assertEquals(0, fromMond.code(), fromMond.toString());
        assertTrue(everyNodeUp(fromMond.out()), fromMond.toString());
    }

    private static boolean everyNodeUp(final String table)
    {
        for (int i = 0; i < CliCluster.SIZE; i++)
        {
            if (!hasRow(table, "mapd", cluster.mapdPorts[i]) || !hasRow(table, "logd", cluster.logds[i].port()))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean hasRow(final String table, final String role, final int port)
    {
        for (final String line : table.split("\n"))
        {
            final String[] cells = line.trim().split(" +");
            if (cells.length >= 4 && cells[1].equals(role) && cells[2].equals("127.0.0.1:" + port) &&
                cells[3].equals("UP"))
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void shouldMeasureLatencyForCountSamples()
    {
        assertLatencyLine(cli("--latency", "--count", "5"), 5);
        assertReply("OK", cli("SET", "latency-key", "v"));
        assertLatencyLine(cli("--latency", "--latency-key", "latency-key", "--count", "3"), 3);
    }

    private static void assertLatencyLine(final Result result, final int samples)
    {
        assertEquals(0, result.code(), result.toString());
        final Matcher line = Pattern.compile(
            "min: (\\d+\\.\\d{3}), max: (\\d+\\.\\d{3}), avg: (\\d+\\.\\d{3}) \\((\\d+) samples\\) ms\n")
            .matcher(result.out());
        assertTrue(line.matches(), result.toString());
        final double min = Double.parseDouble(line.group(1));
        final double max = Double.parseDouble(line.group(2));
        final double avg = Double.parseDouble(line.group(3));
        assertTrue(min > 0 && min <= avg && avg <= max, result.toString());
        assertEquals(samples, Integer.parseInt(line.group(4)), result.toString());
    }

    @Test
    void shouldPrintAStatLinePerInterval()
    {
        assertReply("OK", cli("SET", "stat-key", "v"));
        final String keys = cli("INFO", "keys:").out().trim();
        final Result result = cli("--stat", "--count", "2", "--interval", "0.5");
        assertEquals(0, result.code(), result.toString());
        final String[] lines = result.out().split("\n");
        assertEquals(3, lines.length, result.toString());
        assertEquals(StatMode.header(), lines[0], result.toString());
        for (int i = 1; i < lines.length; i++)
        {
            final String[] cells = lines[i].split(" +");
            assertEquals("keys:" + cells[0], keys, result.toString());
            assertTrue(lines[i].matches("\\d+( +\\d+ \\(\\+\\d+\\)){" + StatMode.COUNTERS.length + "}"),
                result.toString());
        }
        assertTrue(lines[1].contains(" (+0)") && !lines[1].matches(".*\\(\\+[1-9].*"), "first row: no delta yet");
    }

    private static String sha256(final byte[] bytes) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
