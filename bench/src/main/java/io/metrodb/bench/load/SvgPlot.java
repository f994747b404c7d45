package io.metrodb.bench.load;

import java.util.List;
import java.util.Locale;

/**
 * Latency by percentile for several runs, one labelled line each, as an SVG document, drawn as HdrHistogram's
 * plotter draws it: the x axis is {@code log10(1 / (1 - percentile))}, marked 0%, 90%, 99%, 99.9%, ...; the y
 * axis is linear latency from 0, or logarithmic in decades (so a 100 us median and a 50 ms max both show).
 */
final class SvgPlot
{
    static final int WIDTH = 900;
    static final int HEIGHT = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 220;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    /** Where percentile 1 (the max) is drawn when no finite point goes further: 99.9999%. */
    private static final double MIN_NINES = 1;

    private SvgPlot()
    {
    }

    /**
     * @param curves the runs, one line each.
     * @param title  the plot's title.
     * @param unit   the unit of the values, e.g. us.
     * @param logY   a logarithmic y axis.
     * @return the SVG document.
     */
    static String render(final List<PercentileCurve> curves, final String title, final String unit,
        final boolean logY)
    {
        double maxNines = MIN_NINES;
        double maxValue = 0;
        double minPositive = Double.MAX_VALUE;
        for (final PercentileCurve curve : curves)
        {
            for (int i = 0; i < curve.values.length; i++)
            {
                if (curve.percentiles[i] < 1)
                {
                    maxNines = Math.max(maxNines, nines(curve.percentiles[i]));
                }
                maxValue = Math.max(maxValue, curve.values[i]);
                if (curve.values[i] > 0)
                {
                    minPositive = Math.min(minPositive, curve.values[i]);
                }
            }
        }
        final int decades = (int)Math.ceil(maxNines);
        final double yTop = logY ? Math.pow(10, Math.ceil(Math.log10(Math.max(maxValue, 1e-9)))) :
            niceCeiling(maxValue);
        final double yBottom = logY ? Math.min(yTop / 10, Math.pow(10, Math.floor(Math.log10(
            minPositive == Double.MAX_VALUE ? yTop / 10 : minPositive)))) : 0;
        final int yTicks = logY ? (int)Math.round(Math.log10(yTop / yBottom)) : 5;
        final double plotWidth = WIDTH - LEFT - RIGHT;
        final double plotHeight = HEIGHT - TOP - BOTTOM;
        final StringBuilder svg = new StringBuilder(8192);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\"" +
            " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"16\">%s</text>%n", LEFT,
            escape(title)));
        // Grid and x labels: 0%, 90%, 99%, ...
        for (int d = 0; d <= decades; d++)
        {
            final double x = LEFT + plotWidth * d / decades;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#dddddd\"/>%n", x, TOP, x, TOP + plotHeight));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotHeight + 18, percentileLabel(d)));
        }
        for (int t = 0; t <= yTicks; t++)
        {
            final double y = TOP + plotHeight - plotHeight * t / yTicks;
            final double tick = logY ? yBottom * Math.pow(10, t) : yTop * t / yTicks;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#dddddd\"/>%n", LEFT, y, LEFT + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, tickLabel(tick)));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" " +
            "fill=\"none\" stroke=\"black\"/>%n", LEFT, TOP, plotWidth, plotHeight));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 15));
        svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 18 %.1f)\">latency (%s)</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2,
            escape(unit)));
        for (int c = 0; c < curves.size(); c++)
        {
            final PercentileCurve curve = curves.get(c);
            final String colour = COLOURS[c % COLOURS.length];
            final StringBuilder path = new StringBuilder();
            for (int i = 0; i < curve.values.length; i++)
            {
                final double nines = curve.percentiles[i] >= 1 ? decades : Math.min(decades,
                    nines(curve.percentiles[i]));
                final double x = LEFT + plotWidth * nines / decades;
                final double fraction = logY ? Math.log10(Math.max(curve.values[i], yBottom) / yBottom) /
                    Math.log10(yTop / yBottom) : curve.values[i] / yTop;
                final double y = TOP + plotHeight - plotHeight * Math.min(1, fraction);
                path.append(i == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\">" +
                "<title>%s</title></path>%n", path, colour, escape(curve.label)));
            final double legendY = TOP + 10 + 20 * c;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"%s\" stroke-width=\"3\"/>%n", LEFT + plotWidth + 15, legendY, LEFT + plotWidth + 40, legendY,
                colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LEFT + plotWidth + 46,
                legendY + 4, escape(curve.label)));
        }
        return svg.append("</svg>\n").toString();
    }

    /**
     * @return {@code log10(1 / (1 - percentile))}: 0 at 0%, 1 at 90%, 2 at 99%, ...
     */
    static double nines(final double percentile)
    {
        return Math.log10(1 / (1 - percentile));
    }

    /**
     * @return the label of {@code decade} nines: 0%, 90%, 99%, 99.9%, ...
     */
    static String percentileLabel(final int decade)
    {
        if (decade == 0)
        {
            return "0%";
        }
        if (decade == 1)
        {
            return "90%";
        }
        final StringBuilder label = new StringBuilder("99");
        for (int i = 2; i < decade; i++)
        {
            label.append(i == 2 ? ".9" : "9");
        }
        return label.append('%').toString();
    }

    private static double niceCeiling(final double value)
    {
        if (value <= 0)
        {
            return 1;
        }
        final double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[] {1, 2, 2.5, 5, 10})
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tickLabel(final double value)
    {
        if (value < 1 && value > 0)
        {
            return String.format(Locale.ROOT, "%s", (float)value);
        }
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,.0f", value) :
            String.format(Locale.ROOT, "%,.1f", value);
    }

    /**
     * @return {@code text} safe in XML content and attributes.
     */
    static String escape(final String text)
    {
        final StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '&':
                    escaped.append("&amp;");
                    break;
                case '<':
                    escaped.append("&lt;");
                    break;
                case '>':
                    escaped.append("&gt;");
                    break;
                case '"':
                    escaped.append("&quot;");
                    break;
                case '\'':
                    escaped.append("&apos;");
                    break;
                default:
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                    {
                        escaped.append(c);
                    }
                    break;
            }
        }
        return escaped.toString();
    }
}
