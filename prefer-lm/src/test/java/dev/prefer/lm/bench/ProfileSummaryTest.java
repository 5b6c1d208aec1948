package dev.prefer.lm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileSummaryTest {
    @TempDir Path dir;

    @Test
    void selfTimeSubtractsDirectChildrenPerThread() throws IOException {
        // Thread 1: A [0,100) calls B [10,40) and C [50,70); B calls A-named op again? no: B calls D [15,25).
        // Thread 2: D [0,30). By hand (us): A self = 100-30-20 = 50; B self = 30-10 = 20; C = 20; D = 10 + 30 = 40.
        String trace = """
                {"traceEvents":[
                 {"ph":"X","name":"A","tid":1,"ts":0,"dur":100},
                 {"ph":"X","name":"B","tid":1,"ts":10,"dur":30},
                 {"ph":"X","name":"D","tid":1,"ts":15,"dur":10},
                 {"ph":"X","name":"C","tid":1,"ts":50,"dur":20},
                 {"ph":"X","name":"D","tid":2,"ts":0,"dur":30},
                 {"ph":"i","name":"marker","tid":1,"ts":5}
                ]}""";
        Path f = dir.resolve("trace.json");
        Files.writeString(f, trace);
        List<ProfileSummary.Row> rows = ProfileSummary.read(f);
        Map<String, Double> self = rows.stream().collect(Collectors.toMap(ProfileSummary.Row::op, ProfileSummary.Row::selfMs));
        assertEquals(Map.of("A", 0.050, "B", 0.020, "C", 0.020, "D", 0.040), self);
        assertEquals("A", rows.get(0).op());
        assertEquals(2, rows.stream().filter(r -> r.op().equals("D")).findFirst().orElseThrow().calls());
    }
}
