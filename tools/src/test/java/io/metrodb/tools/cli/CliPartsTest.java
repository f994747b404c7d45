package io.metrodb.tools.cli;

import org.jline.console.ArgDesc;
import org.jline.console.CmdDesc;
import org.jline.reader.Candidate;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pieces of metrodb-cli that need no cluster: the command table, completion, --stat rows, --latency's line.
 */
class CliPartsTest
{
    @Test
    void shouldCheckArityFromTheTable()
    {
        assertTrue(CommandTable.find("get").accepts(1));
        assertFalse(CommandTable.find("GET").accepts(0));
        assertFalse(CommandTable.find("GET").accepts(2));
        assertTrue(CommandTable.find("del").accepts(5));
        assertTrue(CommandTable.find("MSET").accepts(4));
        assertFalse(CommandTable.find("MSET").accepts(3), "MSET takes pairs");
        assertTrue(CommandTable.find("INFO").accepts(0));
        assertFalse(CommandTable.find("PING").accepts(1));
        assertNull(CommandTable.find("FLUSHALL"));
    }

    @Test
    void shouldSplitArgumentHintsIntoNames()
    {
        assertEquals(List.of("key", "value", "[key value ...]"), CommandTable.find("MSET").argNames());
        assertEquals(List.of("key", "path"), CommandTable.find("SETFROMFILE").argNames());
        assertEquals(List.of(), CommandTable.find("PING").argNames());
    }

    @Test
    void shouldListEveryCommandInHelpAndDescribeOne()
    {
        final String help = CommandTable.help(null);
        for (final CommandTable.Spec spec : CommandTable.all())
        {
            assertTrue(help.contains(CommandTable.usage(spec)), spec.name());
        }
        assertEquals("GETTOFILE key path\n  " + CommandTable.find("GETTOFILE").summary(), CommandTable.help("gettofile"));
        assertNull(CommandTable.help("nope"));
    }

    @Test
    void shouldCompleteCommandNamesInTheCaseTyped()
    {
        final DefaultParser parser = new DefaultParser();
        final List<Candidate> lower = new ArrayList<>();
        new Repl.CommandCompleter().complete(null, parser.parse("se", 2), lower);
        assertTrue(lower.stream().anyMatch(c -> c.value().equals("setsafe")), lower.toString());
        assertTrue(lower.stream().allMatch(c -> c.value().equals(c.value().toLowerCase())), lower.toString());

        final List<Candidate> upper = new ArrayList<>();
        new Repl.CommandCompleter().complete(null, parser.parse("SE", 2), upper);
        assertTrue(upper.stream().anyMatch(c -> c.value().equals("SETFROMFILE")), upper.toString());

        final List<Candidate> argument = new ArrayList<>();
        new Repl.CommandCompleter().complete(null, parser.parse("GET se", 6), argument);
        assertTrue(argument.isEmpty(), "arguments are keys, not command names: " + argument);
    }

    @Test
    void shouldGiveEveryCommandArgumentHintsInBothCases()
    {
        final Map<String, CmdDesc> hints = Repl.hints();
        for (final CommandTable.Spec spec : CommandTable.all())
        {
            assertEquals(spec.argNames().size(), hints.get(spec.name()).getArgsDesc().size(), spec.name());
            assertTrue(hints.containsKey(spec.name().toLowerCase()), spec.name());
        }
        final List<String> mset = new ArrayList<>();
        for (final ArgDesc arg : hints.get("mset").getArgsDesc())
        {
            mset.add(arg.getName());
        }
        assertEquals(List.of("key", "value", "[key_value...]"), mset);
    }

    @Test
    void shouldPrintCounterDeltasBetweenStatRows()
    {
        final StatMode stat = new StatMode();
        final String first = stat.row(StatMode.parse("role:mapd\nkeys:7\ngets:10\nsets:4\nsetsafes:0\n"));
        assertTrue(first.startsWith("7 "), first);
        assertTrue(first.contains("10 (+0)"), first);
        final String second = stat.row(Map.of("keys", 9L, "gets", 15L, "sets", 6L, "setsafes", 1L));
        assertTrue(second.startsWith("9 "), second);
        assertTrue(second.contains("15 (+5)"), second);
        assertTrue(second.contains("6 (+2)"), second);
        assertTrue(second.contains("1 (+1)"), second);
        assertTrue(StatMode.header().startsWith("keys"), StatMode.header());
        assertEquals(StatMode.COUNTERS.length + 1, StatMode.header().split(" +").length, StatMode.header());
    }

    @Test
    void shouldSummariseLatencySamplesInMilliseconds()
    {
        final LatencyMode latency = new LatencyMode();
        latency.add(1_000_000);
        latency.add(3_000_000);
        latency.add(2_000_000);
        assertEquals("min: 1.000, max: 3.000, avg: 2.000 (3 samples) ms", latency.line());
    }
}
