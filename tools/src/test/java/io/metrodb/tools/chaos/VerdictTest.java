package io.metrodb.tools.chaos;

import io.metrodb.tools.check.KeyReadings;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Verdict} on hand-made histories and readings: what is lost, divergent or unknown, and what is allowed (a
 * later write, acknowledged or not; an unacknowledged write absent).
 */
class VerdictTest
{
    private static final List<String> MAPDS = List.of("mapd1", "mapd2", "mapd3");

    private final WriteLog log = new WriteLog();

    private String write(final String key, final boolean safe, final String failure)
    {
        final List<WriteLog.Write> history = log.history(key);
        final String value = WriteLog.value(0, history.size() + 1, safe, key);
        history.add(new WriteLog.Write(value, safe, failure));
        return value;
    }

    private Verdict.Result judge(final String key, final String... values)
    {
        final List<Map<String, KeyReadings.Reading>> readings = new ArrayList<>();
        for (final String value : values)
        {
            final Map<String, KeyReadings.Reading> reading = new HashMap<>();
            reading.put(key, value != null && value.startsWith("error:") ?
                KeyReadings.Reading.failed(value.substring(6)) : KeyReadings.Reading.of(value));
            readings.add(reading);
        }
        return Verdict.of(log, List.of(key), MAPDS, readings, null);
    }

    @Test
    void shouldPassWhenEveryMapdReturnsTheLastAcknowledgedSetSafe()
    {
        write("k", false, null);
        final String safe = write("k", true, null);
        final Verdict.Result result = judge("k", safe, safe, safe);
        assertTrue(result.safe(), result.toString());
        assertEquals(0, result.lostSet(), result.toString());
    }

    @Test
    void shouldAcceptALaterWriteThatFailedInPlaceOfTheAcknowledgedOne()
    {
        write("k", true, null);
        final String timedOut = write("k", false, "TIMEOUT");
        final Verdict.Result result = judge("k", timedOut, timedOut, timedOut);
        assertTrue(result.safe(), result.toString());
        assertEquals(0, result.lostSet(), result.toString());
    }

    @Test
    void shouldCountASetSafeLostWhenOneMapdReturnsAnEarlierWrite()
    {
        final String first = write("k", false, null);
        final String safe = write("k", true, null);
        final Verdict.Result result = judge("k", safe, first, safe);
        assertFalse(result.safe(), result.toString());
        assertEquals(1, result.lostSafe(), result.toString());
        assertEquals(1, result.divergent(), result.toString());
        assertTrue(result.examples().get(0).contains("lost acknowledged SETSAFE '" + safe + "'"), result.toString());
    }

    @Test
    void shouldCountASetSafeLostWhenEveryMapdReturnsNothing()
    {
        write("k", true, null);
        final Verdict.Result result = judge("k", null, null, null);
        assertEquals(1, result.lostSafe(), result.toString());
        assertEquals(0, result.divergent(), result.toString());
    }

    @Test
    void shouldCountAnErrorAsUnreadableAndTheSetSafeAsNotShown()
    {
        final String safe = write("k", true, null);
        final Verdict.Result result = judge("k", safe, "error:CATCHING_UP", safe);
        assertFalse(result.safe(), result.toString());
        assertEquals(1, result.unreadable(), result.toString());
        assertEquals(1, result.lostSafe(), result.toString());
    }

    @Test
    void shouldReportALostSetWithoutFailing()
    {
        final String safe = write("k", true, null);
        write("k", false, null);
        final Verdict.Result result = judge("k", safe, safe, safe);
        assertTrue(result.safe(), result.toString());
        assertEquals(1, result.lostSet(), result.toString());
    }

    @Test
    void shouldAllowAnUnacknowledgedWriteToBeAbsent()
    {
        write("k", true, "UNAVAILABLE");
        assertTrue(judge("k", null, null, null).safe());
    }

    @Test
    void shouldFailOnAValueNobodyWroteEvenWhereTheMapdsAgree()
    {
        write("k", false, null);
        final Verdict.Result result = judge("k", "forged", "forged", "forged");
        assertFalse(result.safe(), result.toString());
        assertEquals(1, result.unknown(), result.toString());
        assertEquals(0, result.divergent(), result.toString());
    }

    @Test
    void shouldFailWhenTheMapdsDisagreeOnAKeyNoWriteWasAcknowledgedFor()
    {
        final String failed = write("k", false, "TIMEOUT");
        final Verdict.Result result = judge("k", failed, null, failed);
        assertFalse(result.safe(), result.toString());
        assertEquals(1, result.divergent(), result.toString());
        assertEquals(0, result.lostSafe(), result.toString());
    }

    @Test
    void shouldListTheKeysWithAProblem()
    {
        final String good = write("a", true, null);
        write("b", true, null);
        final Map<String, KeyReadings.Reading> reading = new HashMap<>();
        reading.put("a", KeyReadings.Reading.of(good));
        reading.put("b", KeyReadings.Reading.ABSENT);
        final List<String> problems = new ArrayList<>();
        final Verdict.Result result = Verdict.of(log, List.of("a", "b"), List.of("mapd1"), List.of(reading),
            problems);
        assertEquals(List.of("b"), problems);
        assertEquals(2, result.keys());
    }
}
