package io.metrodb.bench.load;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.metrodb.bench.support.HistogramFiles;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunResultTest
{
    private static RunResult result()
    {
        final Workload workload = new Workload(new double[] {80, 15, 5, 0}, 5_000, "zipfian", 100, 200, 3, 16,
            20_000, 99);
        final RunResult result = new RunResult("redis://127.0.0.1:6379 (RESP, epoll)", workload, 1, 2, 5_000, 0);
        final OpResult get = new OpResult("get");
        final OpResult set = new OpResult("set");
        final OpResult setSafe = new OpResult("setsafe");
        for (int i = 1; i <= 1_000; i++)
        {
            get.histogram.recordValue(i * 1_000L);
            set.histogram.recordValue(2 * i * 1_000L);
        }
        setSafe.histogram.recordValue(5_000_000);
        get.succeeded = 990;
        get.misses = 10;
        set.succeeded = 1_000;
        set.errors = 3;
        setSafe.succeeded = 1;
        for (final OpResult op : List.of(get, set, setSafe))
        {
            result.ops.add(op);
            result.all.add(op);
        }
        result.unsent = 7;
        result.lastError = "redis: ERR \"quoted\"\nand a new line \\";
        return result;
    }

    @Test
    void shouldWriteJsonThatParsesWithTheRunsNumbers()
    {
        final RunResult result = result();
        final JsonObject json = JsonParser.parseString(result.json()).getAsJsonObject();

        assertEquals("redis://127.0.0.1:6379 (RESP, epoll)", json.get("target").getAsString());
        assertEquals("open", json.get("mode").getAsString());
        assertEquals(20_000, json.get("rate").getAsLong());
        assertEquals(3, json.get("connections").getAsInt());
        assertEquals(16, json.get("inFlight").getAsInt());
        assertEquals("100..200", json.get("valueSize").getAsString());
        assertEquals(0.8, json.getAsJsonObject("mix").get("get").getAsDouble(), 1e-9);
        assertEquals(99, json.get("seed").getAsLong());
        assertEquals(7, json.get("unsent").getAsLong());
        assertEquals(result.lastError, json.get("lastError").getAsString());
        final JsonObject get = json.getAsJsonObject("ops").getAsJsonObject("get");
        assertEquals(1_000, get.get("count").getAsLong());
        assertEquals(10, get.get("misses").getAsLong());
        assertEquals(500.0, get.get("opsPerSecond").getAsDouble(), 1e-9, "1000 in 2 s");
        final JsonObject latency = get.getAsJsonObject("latencyUs");
        assertEquals(500, latency.get("p50").getAsDouble(), 1);
        assertEquals(990, latency.get("p99").getAsDouble(), 1);
        assertEquals(1_000, latency.get("max").getAsDouble(), 1);
        assertTrue(latency.has("p99.99") && latency.has("p90") && latency.has("p99.9") && latency.has("mean"));
        final JsonObject all = json.getAsJsonObject("all");
        assertEquals(2_001, all.get("count").getAsLong());
        assertEquals(3, all.get("errors").getAsLong());
        assertEquals(5_000, all.getAsJsonObject("latencyUs").get("max").getAsDouble(), 5);
        assertEquals(3, json.getAsJsonObject("ops").size());
    }

    @Test
    void shouldPrintATableRowPerOperationAndAll()
    {
        final String table = result().table();
        assertTrue(table.contains("p99.99 us"), table);
        assertTrue(table.lines().anyMatch(line -> line.startsWith("get ") && line.contains(" 500 ")), table);
        assertTrue(table.lines().anyMatch(line -> line.startsWith("all ")), table);
        assertTrue(table.contains("7 requests meant to start before the end were never sent"), table);
    }

    @Test
    void shouldPlotOnePathPerRunAsWellFormedSvg(@TempDir final Path dir) throws Exception
    {
        final RunResult result = result();
        final List<Path> written = result.write(dir.resolve("run"));
        assertTrue(written.contains(dir.resolve("run/get.hgrm")) && written.contains(dir.resolve("run/all.hgrm")),
            written.toString());
        final Histogram slow = new Histogram(3);
        for (int i = 1; i <= 100_000; i++)
        {
            slow.recordValue(i * 10_000L);
        }
        final Path other = dir.resolve("other & <friends>.hgrm");
        HistogramFiles.writePercentilesUs(other, slow);
        final Path svg = dir.resolve("plots/plot.svg");

        final int code = new CommandLine(new BenchCommand()).execute("plot", dir.resolve("run/get.hgrm").toString(),
            "redis \"set\"=" + dir.resolve("run/set.hgrm"), other.toString(), "-o", svg.toString(), "--title",
            "a < b");

        assertEquals(0, code);
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        final Document document = factory.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", document.getDocumentElement().getLocalName());
        final NodeList paths = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path");
        assertEquals(3, paths.getLength(), "one path per run");
        final List<String> labels = new ArrayList<>();
        for (int i = 0; i < paths.getLength(); i++)
        {
            final Element path = (Element)paths.item(i);
            labels.add(path.getTextContent());
            assertTrue(path.getAttribute("d").startsWith("M"), path.getAttribute("d"));
        }
        assertEquals(List.of("run/get", "redis \"set\"", dir.getFileName() + "/other & <friends>"), labels);
        final String text = Files.readString(svg);
        for (final String tick : List.of(">0%<", ">90%<", ">99%<", ">99.9%<", ">99.99%<"))
        {
            assertTrue(text.contains(tick), "x axis tick " + tick);
        }

        // A logarithmic y axis: a decade a tick, from the smallest value's (1 us) to the largest's (1 s).
        final Path logSvg = dir.resolve("log.svg");
        assertEquals(0, new CommandLine(new BenchCommand()).execute("plot", dir.resolve("run/get.hgrm").toString(),
            other.toString(), "--log-y", "-o", logSvg.toString()));
        final Document log = factory.newDocumentBuilder().parse(logSvg.toFile());
        assertEquals(2, log.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").getLength());
        final String logText = Files.readString(logSvg);
        for (final String tick : List.of(">1<", ">10<", ">100<", ">1,000<", ">10,000<", ">100,000<", ">1,000,000<"))
        {
            assertTrue(logText.contains(tick), "y axis tick " + tick);
        }
    }

    @Test
    void shouldMarkTheXAxisInNines()
    {
        assertEquals("0%", SvgPlot.percentileLabel(0));
        assertEquals("90%", SvgPlot.percentileLabel(1));
        assertEquals("99%", SvgPlot.percentileLabel(2));
        assertEquals("99.9%", SvgPlot.percentileLabel(3));
        assertEquals("99.999%", SvgPlot.percentileLabel(5));
        assertEquals(3, SvgPlot.nines(0.999), 1e-9);
    }
}
