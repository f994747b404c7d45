package io.metrodb.tools.check;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditTest
{
    private static final List<String> NAMES = List.of("m1", "m2", "m3");

    private final WriteLedger ledger = new WriteLedger();

    /** Each mapd's answers; every mapd starts holding every acknowledged write. */
    private List<Map<String, KeyReadings.Reading>> readings()
    {
        final List<Map<String, KeyReadings.Reading>> readings = new ArrayList<>();
        for (int m = 0; m < NAMES.size(); m++)
        {
            final Map<String, KeyReadings.Reading> answers = new HashMap<>();
            for (final String key : ledger.keys())
            {
                final WriteLedger.Write write = ledger.freshWrite(key);
                answers.put(key, write != null && write.acked() ? KeyReadings.Reading.of(write.value()) :
                    KeyReadings.Reading.ABSENT);
            }
            readings.add(answers);
        }
        return readings;
    }

    private void writeSome()
    {
        ledger.fresh("k/0/1", "k/0/1=SETSAFE", true, true);
        ledger.fresh("k/0/2", "k/0/2=SET", false, true);
        ledger.fresh("k/0/3", "k/0/3=SETSAFE", true, false);
        ledger.hot("hot/0", "hot/0=a");
        ledger.hot("hot/0", "hot/0=b");
    }

    @Test
    void shouldPassWhenEveryMapdHoldsEveryAcknowledgedWrite()
    {
        writeSome();
        final List<Map<String, KeyReadings.Reading>> readings = readings();
        readings.forEach(answers -> answers.put("hot/0", KeyReadings.Reading.of("hot/0=b")));
        final Audit.Result result = Audit.of(ledger, NAMES, readings);
        assertTrue(result.clean(), result.toString());
        assertEquals(4, result.keys());
        assertEquals(List.of(), result.examples());
    }

    @Test
    void shouldCountAnAcknowledgedSetSafeMissingFromOneMapdAsLost()
    {
        writeSome();
        final List<Map<String, KeyReadings.Reading>> readings = readings();
        readings.get(2).put("k/0/1", KeyReadings.Reading.ABSENT);
        final Audit.Result result = Audit.of(ledger, NAMES, readings);
        assertEquals(1, result.lostSafe(), result.toString());
        assertEquals(0, result.lostSet(), result.toString());
        assertEquals(0, result.divergent(), "a lost write is not counted twice: " + result);
        assertFalse(result.clean());
        assertEquals(List.of("k/0/1: lost acknowledged SETSAFE 'k/0/1=SETSAFE'; m1='k/0/1=SETSAFE' " +
            "m2='k/0/1=SETSAFE' m3=absent"), result.examples());
    }

    @Test
    void shouldCountAnAlteredValueOnEveryMapdAsLost()
    {
        writeSome();
        final List<Map<String, KeyReadings.Reading>> readings = readings();
        readings.forEach(answers -> answers.put("k/0/2", KeyReadings.Reading.of("k/0/2=SET, altered")));
        final Audit.Result result = Audit.of(ledger, NAMES, readings);
        assertEquals(1, result.lostSet(), result.toString());
        assertEquals(0, result.lostSafe(), result.toString());
        assertFalse(result.clean());
    }

    @Test
    void shouldNotPassWhenAMapdAnswersWithAnError()
    {
        writeSome();
        final List<Map<String, KeyReadings.Reading>> readings = readings();
        readings.get(1).put("k/0/3", KeyReadings.Reading.failed("TIMEOUT"));
        readings.get(1).remove("hot/0");
        final Audit.Result result = Audit.of(ledger, NAMES, readings);
        assertEquals(2, result.readErrors(), "an error and a key not read: " + result);
        assertEquals(2, result.divergent(), "the others answered: " + result);
        assertFalse(result.clean());
        assertTrue(result.examples().get(0).contains("m2=error(not read)"), result.examples().toString());
    }

    @Test
    void shouldAcceptAFailedWriteAbsentEverywhereOrHeldEverywhere()
    {
        writeSome();
        final List<Map<String, KeyReadings.Reading>> readings = readings();
        assertTrue(Audit.of(ledger, NAMES, readings).clean(), "absent everywhere");
        readings.forEach(answers -> answers.put("k/0/3", KeyReadings.Reading.of("k/0/3=SETSAFE")));
        assertTrue(Audit.of(ledger, NAMES, readings).clean(), "applied everywhere");
    }

    @Test
    void shouldCountAFailedWriteHeldBySomeMapdsOnlyAsDivergent()
    {
        writeSome();
        final List<Map<String, KeyReadings.Reading>> readings = readings();
        readings.get(0).put("k/0/3", KeyReadings.Reading.of("k/0/3=SETSAFE"));
        final Audit.Result result = Audit.of(ledger, NAMES, readings);
        assertEquals(1, result.divergent(), result.toString());
        assertEquals(0, result.lost(), result.toString());
        assertTrue(result.examples().get(0).startsWith("k/0/3: mapds disagree;"), result.examples().toString());
    }

    @Test
    void shouldCountASharedKeyHeldDifferentlyOrWithAValueNeverWrittenAsDivergent()
    {
        writeSome();
        final List<Map<String, KeyReadings.Reading>> readings = readings();
        readings.get(0).put("hot/0", KeyReadings.Reading.of("hot/0=a"));
        readings.get(1).put("hot/0", KeyReadings.Reading.of("hot/0=b"));
        readings.get(2).put("hot/0", KeyReadings.Reading.of("hot/0=b"));
        assertEquals(1, Audit.of(ledger, NAMES, readings).divergent(), "a and b");
        readings.forEach(answers -> answers.put("hot/0", KeyReadings.Reading.of("hot/0=c")));
        final Audit.Result result = Audit.of(ledger, NAMES, readings);
        assertEquals(1, result.divergent(), result.toString());
        assertTrue(result.examples().get(0).startsWith("hot/0: holds a value never written;"),
            result.examples().toString());
        readings.forEach(answers -> answers.put("hot/0", KeyReadings.Reading.of("hot/0=a")));
        assertTrue(Audit.of(ledger, NAMES, readings).clean(), "a, everywhere");
    }

    @Test
    void shouldRefuseToWriteAFreshKeyTwice()
    {
        ledger.fresh("k", "v1", true, true);
        final IllegalStateException e =
            assertThrows(IllegalStateException.class, () -> ledger.fresh("k", "v2", false, false));
        assertEquals("fresh key k written twice", e.getMessage());
    }
}
