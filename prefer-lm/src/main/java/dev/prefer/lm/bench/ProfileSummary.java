package dev.prefer.lm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of a profiled step goes: reads the Chrome trace PyTorch's profiler writes and sums the SELF time of
 * each operator (its duration minus the durations of the operators it called), so the rows add up to the step.
 */
public final class ProfileSummary {
    private ProfileSummary() {}

    /** One operator's share: total self time in ms and call count. */
    public record Row(String op, double selfMs, long calls) {}

    private record Ev(String name, long tid, double ts, double dur) {}

    public static List<Row> read(Path trace) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(trace.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode events = root.isArray() ? root : root.get("traceEvents");
        List<Ev> evs = new ArrayList<>();
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText())) continue;
            evs.add(new Ev(e.path("name").asText(), e.path("tid").asLong(), e.path("ts").asDouble(), e.path("dur").asDouble()));
        }
        // Per thread, nest events by time: self = dur - sum(dur of direct children).
        evs.sort(Comparator.comparingLong(Ev::tid).thenComparingDouble(Ev::ts).thenComparing(Comparator.comparingDouble(Ev::dur).reversed()));
        Map<String, double[]> acc = new HashMap<>();
        List<Ev> stack = new ArrayList<>();
        List<double[]> childSum = new ArrayList<>();
        long tid = Long.MIN_VALUE;
        for (Ev e : evs) {
            if (e.tid() != tid) {
                while (!stack.isEmpty()) pop(stack, childSum, acc);
                tid = e.tid();
            }
            while (!stack.isEmpty() && e.ts() >= stack.get(stack.size() - 1).ts() + stack.get(stack.size() - 1).dur()) pop(stack, childSum, acc);
            if (!stack.isEmpty()) childSum.get(childSum.size() - 1)[0] += e.dur();
            stack.add(e);
            childSum.add(new double[] {0});
        }
        while (!stack.isEmpty()) pop(stack, childSum, acc);
        List<Row> rows = new ArrayList<>();
        acc.forEach((k, v) -> rows.add(new Row(k, v[0] / 1000.0, (long) v[1])));
        rows.sort(Comparator.comparingDouble(Row::selfMs).reversed());
        return rows;
    }

    private static void pop(List<Ev> stack, List<double[]> childSum, Map<String, double[]> acc) {
        Ev e = stack.remove(stack.size() - 1);
        double children = childSum.remove(childSum.size() - 1)[0];
        double[] a = acc.computeIfAbsent(e.name(), k -> new double[2]);
        a[0] += Math.max(0, e.dur() - children);
        a[1] += 1;
    }
}
