package io.metrodb.gateway;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: the Prometheus Java client
 * (prometheus-metrics-exposition-textformats) only writes the format, so this checks what Prometheus' own parser
 * checks and throws {@link IllegalArgumentException} naming the line on anything malformed: bad metric or label
 * names, bad escapes, unparsable values, a TYPE after its samples or given twice, an unknown type, a family's
 * samples not contiguous, a series given twice, a missing final newline.
 */
final class PrometheusText
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

    private PrometheusText()
    {
    }

    /**
     * @param text an exposition.
     * @return each series ({@code name{a="x",b="y"}} with labels as written) and its value, in order.
     * @throws IllegalArgumentException when the text is not valid.
     */
    static Map<String, Double> parse(final String text)
    {
        if (!text.isEmpty() && !text.endsWith("\n"))
        {
            throw new IllegalArgumentException("exposition does not end with a newline");
        }
        final Map<String, Double> series = new LinkedHashMap<>();
        final Map<String, String> types = new HashMap<>();
        final Set<String> familiesDone = new HashSet<>();
        final Set<String> familiesWithSamples = new HashSet<>();
        String currentFamily = null;
        int lineNumber = 0;
        for (final String line : text.split("\n", -1))
        {
            lineNumber++;
            if (line.isEmpty())
            {
                continue;
            }
            final String where = "line " + lineNumber + " '" + line + "': ";
            if (line.startsWith("#"))
            {
                final String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && ("HELP".equals(parts[1]) || "TYPE".equals(parts[1])))
                {
                    final String name = parts[2];
                    if (!NAME.matcher(name).matches())
                    {
                        throw new IllegalArgumentException(where + "bad metric name");
                    }
                    if ("TYPE".equals(parts[1]))
                    {
                        if (parts.length != 4 || !TYPES.contains(parts[3]))
                        {
                            throw new IllegalArgumentException(where + "bad type");
                        }
                        if (types.put(name, parts[3]) != null)
                        {
                            throw new IllegalArgumentException(where + "second TYPE for " + name);
                        }
                        if (familiesWithSamples.contains(name))
                        {
                            throw new IllegalArgumentException(where + "TYPE after samples of " + name);
                        }
                    }
                    if (!name.equals(currentFamily))
                    {
                        if (currentFamily != null)
                        {
                            familiesDone.add(currentFamily);
                        }
                        if (familiesDone.contains(name))
                        {
                            throw new IllegalArgumentException(where + "family " + name + " is not contiguous");
                        }
                        currentFamily = name;
                    }
                }
                continue;
            }
            final Sample sample = sample(line, where);
            final String family = family(sample.name, types);
            if (!family.equals(currentFamily))
            {
                if (currentFamily != null)
                {
                    familiesDone.add(currentFamily);
                }
                if (familiesDone.contains(family))
                {
                    throw new IllegalArgumentException(where + "family " + family + " is not contiguous");
                }
                currentFamily = family;
            }
            familiesWithSamples.add(family);
            if (series.put(sample.series, sample.value) != null)
            {
                throw new IllegalArgumentException(where + "series given twice");
            }
        }
        return series;
    }

    private record Sample(String name, String series, double value)
    {
    }

    private static Sample sample(final String line, final String where)
    {
        final Matcher name = NAME.matcher(line);
        if (!name.lookingAt())
        {
            throw new IllegalArgumentException(where + "bad metric name");
        }
        int at = name.end();
        final StringBuilder series = new StringBuilder(line.substring(0, at));
        if (at < line.length() && line.charAt(at) == '{')
        {
            series.append('{');
            at++;
            final Set<String> labels = new HashSet<>();
            boolean first = true;
            while (true)
            {
                if (at >= line.length())
                {
                    throw new IllegalArgumentException(where + "unterminated label set");
                }
                if (line.charAt(at) == '}')
                {
                    at++;
                    break;
                }
                if (!first)
                {
                    if (line.charAt(at) != ',')
                    {
                        throw new IllegalArgumentException(where + "expected ',' between labels");
                    }
                    at++;
                    series.append(',');
                    if (at < line.length() && line.charAt(at) == '}')
                    {
                        at++;
                        break;
                    }
                }
                first = false;
                final Matcher label = LABEL_NAME.matcher(line).region(at, line.length());
                if (!label.lookingAt())
                {
                    throw new IllegalArgumentException(where + "bad label name");
                }
                final String labelName = line.substring(at, label.end());
                if (!labels.add(labelName))
                {
                    throw new IllegalArgumentException(where + "label " + labelName + " given twice");
                }
                at = label.end();
                if (!line.startsWith("=\"", at))
                {
                    throw new IllegalArgumentException(where + "expected =\" after label name");
                }
                at += 2;
                series.append(labelName).append("=\"");
                while (true)
                {
                    if (at >= line.length())
                    {
                        throw new IllegalArgumentException(where + "unterminated label value");
                    }
                    final char c = line.charAt(at++);
                    if (c == '"')
                    {
                        break;
                    }
                    if (c == '\\')
                    {
                        if (at >= line.length() || "\\\"n".indexOf(line.charAt(at)) < 0)
                        {
                            throw new IllegalArgumentException(where + "bad escape in label value");
                        }
                        series.append(c).append(line.charAt(at++));
                        continue;
                    }
                    series.append(c);
                }
                series.append('"');
            }
            series.append('}');
        }
        if (at >= line.length() || line.charAt(at) != ' ')
        {
            throw new IllegalArgumentException(where + "expected a space before the value");
        }
        final String[] rest = line.substring(at + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2)
        {
            throw new IllegalArgumentException(where + "expected a value and at most a timestamp");
        }
        final double value = value(rest[0], where);
        if (rest.length == 2)
        {
            try
            {
                Long.parseLong(rest[1]);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException(where + "bad timestamp");
            }
        }
        return new Sample(line.substring(0, name.end()), series.toString(), value);
    }

    private static double value(final String text, final String where)
    {
        switch (text)
        {
            case "NaN": return Double.NaN;
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default:
                if (text.isEmpty() || !text.matches("[-+]?[0-9.eE+-]+"))
                {
                    throw new IllegalArgumentException(where + "bad value '" + text + "'");
                }
                try
                {
                    return Double.parseDouble(text);
                }
                catch (final NumberFormatException e)
                {
                    throw new IllegalArgumentException(where + "bad value '" + text + "'");
                }
        }
    }

    /**
     * @return the family a sample belongs to: {@code x} for {@code x_sum}, {@code x_count} (and {@code x_bucket})
     * when {@code x} is a summary or histogram, else the sample's own name.
     */
    private static String family(final String name, final Map<String, String> types)
    {
        for (final String suffix : new String[] { "_sum", "_count", "_bucket" })
        {
            if (name.endsWith(suffix))
            {
                final String base = name.substring(0, name.length() - suffix.length());
                final String type = types.get(base);
                if ("summary".equals(type) || "histogram".equals(type))
                {
                    return base;
                }
            }
        }
        return name;
    }
}
