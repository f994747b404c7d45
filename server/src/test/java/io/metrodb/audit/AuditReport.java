package io.metrodb.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * What one audit checked and what it found wrong.
 */
final class AuditReport
{
    private static final int SHOWN = 10;

    private final String name;
    private final List<String> violations = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int checked;

    AuditReport(final String name)
    {
        this.name = name;
    }

    void checked()
    {
        checked++;
    }

    void violation(final String message)
    {
        violations.add(message);
    }

    void note(final String message)
    {
        notes.add(message);
    }

    int checkedCount()
    {
        return checked;
    }

    List<String> violations()
    {
        return violations;
    }

    boolean clean()
    {
        return violations.isEmpty() && checked > 0;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder()
            .append(name).append(": ").append(checked).append(" acknowledgements checked, ")
            .append(violations.size()).append(" without a force before them");
        for (final String note : notes)
        {
            text.append("\n  note: ").append(note);
        }
        for (int i = 0; i < Math.min(SHOWN, violations.size()); i++)
        {
            text.append("\n  ").append(violations.get(i));
        }
        if (violations.size() > SHOWN)
        {
            text.append("\n  ... and ").append(violations.size() - SHOWN).append(" more");
        }
        return text.toString();
    }
}
