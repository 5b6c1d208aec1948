package dev.prefer.core.report;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ChartsTest {

    static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void lineChartPutsPointsWhereTheAxesSay() throws Exception {
        // Data x in [0, 10], y in [0, 1], padded 3% each side: x axis [-0.3, 10.3], y axis [-0.03, 1.03].
        // Plot area 520 x 260 at (64, 34): px(x) = 64 + (x + 0.3)/10.6 * 520, py(y) = 294 - (y + 0.03)/1.06 * 260.
        // (0, 0) -> (78.72, 286.64), (5, .5) -> (324, 164), (10, 1) -> (569.28, 41.36).
        String svg = Charts.line("loss", "step", "loss", List.of(new Charts.Series("dpo", new double[] {0, 5, 10}, new double[] {0, 0.5, 1})));
        Document d = parse(svg);
        assertEquals("78.7,286.6 324.0,164.0 569.3,41.4", d.getElementsByTagName("polyline").item(0).getAttributes().getNamedItem("points").getNodeValue());
        assertTrue(svg.contains("<title>dpo: (5, 0.5)</title>"));
    }

    @Test
    void nanLeavesAGap() throws Exception {
        String svg = Charts.line("t", "x", "y", List.of(new Charts.Series("s", new double[] {0, 1, 2, 3}, new double[] {1, Double.NaN, 2, 3})));
        assertEquals(2, parse(svg).getElementsByTagName("polyline").getLength());
    }

    @Test
    void barsHaveHeightsProportionalToValues() throws Exception {
        // y axis [0, 0.8] (ticks every 0.1): a bar of 0.5 is 0.5/0.8 * 260 = 162.5 px tall, its top at 294 - 162.5 = 131.5.
        String svg = Charts.groupedBars("acc", "accuracy", List.of("dpo"), List.of("sft", "aligned"),
                new double[][] {{0.5, 0.8}}, null, null);
        Document d = parse(svg);
        var rects = d.getElementsByTagName("rect");
        boolean found = false;
        for (int i = 0; i < rects.getLength(); i++) {
            var a = rects.item(i).getAttributes();
            if (a.getNamedItem("height") != null && a.getNamedItem("height").getNodeValue().equals("162.5")) {
                assertEquals("131.5", a.getNamedItem("y").getNodeValue());
                found = true;
            }
        }
        assertTrue(found, svg);
        assertThrows(IllegalArgumentException.class, () -> Charts.groupedBars("a", "b", List.of("x"), List.of("s"), new double[][] {{1, 2}}, null, null));
    }

    @Test
    void scatterWithDiagonalAndIntervalsAreWellFormed() throws Exception {
        String sc = Charts.scatter("R vs R*", "ranking accuracy", "idealized", List.of(new Charts.Point(0.55, 0.9, "dpo"), new Charts.Point(0.6, 0.95, "ipo & <x>")), true);
        parse(sc);
        assertTrue(sc.contains("ipo &amp; &lt;x&gt;"));
        assertTrue(sc.contains("stroke-dasharray"));
        String bars = Charts.groupedBars("acc", "accuracy", List.of("a", "b"), List.of("before", "after"),
                new double[][] {{0.4, 0.6}, {0.5, 0.7}}, new double[][] {{0.35, 0.55}, {0.45, 0.65}}, new double[][] {{0.45, 0.65}, {0.55, 0.75}});
        parse(bars);
        assertTrue(bars.contains("<title>b, after: 0.7 [0.65, 0.75]</title>"));
    }

    @Test
    void niceTicksAndNumbers() {
        assertArrayEquals(new double[] {0, 2, 4, 6, 8, 10}, Charts.niceTicks(0, 10, 6), 1e-12);
        assertArrayEquals(new double[] {0.5, 1.0, 1.5}, Charts.niceTicks(0.4, 1.6, 3), 1e-12);
        assertEquals("0.1235", Charts.num(0.123456));
        assertEquals("1200", Charts.num(1200));
        assertEquals("0", Charts.num(0));
    }

    @Test
    void reportIsOneSelfContainedFile(@TempDir Path dir) throws Exception {
        HtmlReport r = new HtmlReport("Demo <report>")
                .heading("Accuracy")
                .paragraph("a & b")
                .chart(Charts.groupedBars("acc", "accuracy", List.of("dpo"), List.of("sft", "aligned"), new double[][] {{0.5, 0.8}}, null, null))
                .table(List.of("objective", "accuracy"), List.of(List.of("dpo", "0.80 [0.7, 0.9]")))
                .manifest("{\n  \"kind\" : \"eval-report\",\n  \"config\" : {\"beta\" : 0.1}\n}");
        Path f = r.write(dir.resolve("report.html"));
        String html = Files.readString(f);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<h1>Demo &lt;report&gt;</h1>"));
        assertTrue(html.contains("<td>0.80 [0.7, 0.9]</td>"), "numeric cell right-aligned");
        assertTrue(html.contains("&quot;eval-report&quot;"));
        Matcher m = Pattern.compile("(?i)<script|src=|href=|@import|url\\(").matcher(html);
        assertFalse(m.find(), "no external resources or scripts");
        assertThrows(IllegalArgumentException.class, () -> r.table(List.of("a"), List.of(List.of("1", "2"))));
    }
}
