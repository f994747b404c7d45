package io.metrodb.bench.load;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest
{
    private static BenchCommand parse(final String... args)
    {
        final BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void shouldTurnReadWriteDeleteAndTheSetSafeShareIntoShares()
    {
        final Workload workload = parse("--read", "60", "--write", "30", "--delete", "10", "--setsafe-share",
            "0.5", "--seed", "3").workload();
        assertEquals(0.60, workload.shares[Op.GET.ordinal()], 1e-9);
        assertEquals(0.15, workload.shares[Op.SET.ordinal()], 1e-9);
        assertEquals(0.15, workload.shares[Op.SETSAFE.ordinal()], 1e-9);
        assertEquals(0.10, workload.shares[Op.DEL.ordinal()], 1e-9);
        assertEquals(3, workload.seed);
        assertEquals("get=60% set=15% setsafe=15% del=10%", workload.describeMix());
    }

    @Test
    void shouldTakeAMixOfRelativeWeights()
    {
        final Workload workload = parse("--mix", "get=9, set=1", "--value-size", "100..1000").workload();
        assertEquals(0.9, workload.shares[Op.GET.ordinal()], 1e-9);
        assertEquals(0.1, workload.shares[Op.SET.ordinal()], 1e-9);
        assertTrue(!workload.uses(Op.DEL) && !workload.uses(Op.SETSAFE));
        assertEquals(100, workload.values[0].length);
        assertEquals(1000, workload.values[workload.values.length - 1].length);
        assertEquals(901, workload.values.length, "one value per size");
        final Workload wide = parse("--value-size", "100..100000").workload();
        assertEquals(Workload.MAX_VALUE_ARRAYS, wide.values.length, "at most 1024 values");
        assertEquals(100_000, wide.values[wide.values.length - 1].length);
    }

    @Test
    void shouldPickOperationsInTheirShares()
    {
        final Workload workload = parse("--mix", "get=50,set=30,del=20", "--seed", "11").workload();
        final long[] counts = new long[Op.ALL.length];
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++)
        {
            counts[workload.pickOp(random).ordinal()]++;
        }
        assertEquals(50_000, counts[Op.GET.ordinal()], 1_000);
        assertEquals(30_000, counts[Op.SET.ordinal()], 1_000);
        assertEquals(20_000, counts[Op.DEL.ordinal()], 1_000);
        assertEquals(0, counts[Op.SETSAFE.ordinal()]);
    }

    @Test
    void shouldReadDurations()
    {
        final BenchCommand command = parse();
        assertEquals(10_000_000_000L, command.parseDurationNs("10s", "--duration"));
        assertEquals(10_000_000_000L, command.parseDurationNs("10", "--duration"));
        assertEquals(500_000_000L, command.parseDurationNs("500ms", "--duration"));
        assertEquals(120_000_000_000L, command.parseDurationNs("2m", "--duration"));
    }

    @Test
    void shouldRejectABadCommandLineWithExitCode2()
    {
        for (final String[] args : new String[][] {{"--mix", "get=1,put=2"}, {"--value-size", "10..5"},
            {"--target", "http://x:1"}, {"--target", "redis://nohost"}, {"--duration", "soon"}, {"--in-flight", "0"},
            {"--distribution", "pareto"}})
        {
            final StringWriter err = new StringWriter();
            final int code = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err)).execute(args);
            assertEquals(2, code, String.join(" ", args) + ": " + err);
            assertTrue(err.toString().contains("Usage:"), err.toString());
        }
    }

    @Test
    void shouldParseTargets()
    {
        final BenchCommand command = parse();
        assertEquals("metrodb://127.0.0.1:7550,127.0.0.1:7551,127.0.0.1:7552 (Java SDK)",
            command.target(BenchCommand.DEFAULT_TARGET, 1_000).describe());
        assertTrue(command.target("redis://localhost:6380", 1_000).describe().startsWith("redis://localhost:6380 "));
    }
}
