package io.metrodb.protocol.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinimiserTest
{
    @RegisterExtension
    final TestSeed seed = new TestSeed("minimiser.seed");

    @Test
    void shouldShrinkToTheTwoElementsThatMatterInTheirOrder()
    {
        final List<Integer> sequence = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            sequence.add(i);
        }
        Collections.shuffle(sequence, new Random(seed.value()));
        if (sequence.indexOf(17) > sequence.indexOf(42))
        {
            Collections.swap(sequence, sequence.indexOf(17), sequence.indexOf(42));
        }
        final Predicate<List<Integer>> seventeenThenFortyTwo = (ops) ->
            ops.contains(17) && ops.contains(42) && ops.indexOf(17) < ops.indexOf(42);

        assertEquals(List.of(17, 42), Minimiser.minimise(sequence, seventeenThenFortyTwo));
    }

    @Test
    void shouldReturnASequenceFromWhichNoSingleElementCanBeDropped()
    {
        final SplittableRandom random = seed.random();
        for (int round = 0; round < 50; round++)
        {
            final List<Integer> sequence = new ArrayList<>();
            for (int i = 0, length = 1 + random.nextInt(100); i < length; i++)
            {
                sequence.add(random.nextInt(1, 40));
            }
            final int threshold = 1 + random.nextInt(sequence.stream().mapToInt(Integer::intValue).sum());
            final Predicate<List<Integer>> sumReaches = (ops) ->
                ops.stream().mapToInt(Integer::intValue).sum() >= threshold;

            final List<Integer> minimal = Minimiser.minimise(sequence, sumReaches);
            assertTrue(sumReaches.test(minimal), "still fails: " + minimal);
            for (int i = 0; i < minimal.size(); i++)
            {
                final List<Integer> smaller = new ArrayList<>(minimal);
                smaller.remove(i);
                assertFalse(sumReaches.test(smaller), "could drop #" + i + " of " + minimal);
            }
            assertTrue(isSubsequence(minimal, sequence), "order kept: " + minimal);
        }
    }

    private static boolean isSubsequence(final List<Integer> part, final List<Integer> whole)
    {
        int at = 0;
        for (final Integer element : whole)
        {
            if (at < part.size() && part.get(at).equals(element))
            {
                at++;
            }
        }
        return at == part.size();
    }
}
