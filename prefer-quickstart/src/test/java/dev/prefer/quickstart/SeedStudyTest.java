package dev.prefer.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed study on the tiny configuration of {@link QuickstartTest}: its numbers are the runs' numbers, combined as stated. */
class SeedStudyTest {

    @Test
    void combinesPerSeedGainsWithATIntervalAndStatesTheCriterion(@TempDir Path tmp) throws Exception {
        QuickstartConfig c = QuickstartTest.tiny(tmp.resolve("study")).withObjectives(List.of("dpo"));
        SeedStudy.Result r = SeedStudy.run(c, List.of(3L, 4L), null);
        JsonNode s = Json.MAPPER.readTree(r.summary().toFile());
        JsonNode dpo = s.get("objectives").get(0);
        double[] d = new double[2], sft = new double[2];
        boolean each = true;
        for (int i = 0; i < 2; i++) {
            long seed = 3 + i;
            // Each seed's row is that run's own summary.json.
            JsonNode run = Json.MAPPER.readTree(tmp.resolve("study/seed-" + seed + "/summary.json").toFile()).get("models");
            JsonNode row = dpo.get("per_seed").get(i);
            assertEquals(seed, row.get("seed").asLong());
            sft[i] = run.get(0).get("greedy_accuracy").get("value").asDouble();
            assertEquals(sft[i], row.get("sft_greedy").asDouble(), 0);
            assertEquals(run.get(1).get("greedy_accuracy").get("value").asDouble(), row.get("aligned_greedy").asDouble(), 0);
            assertEquals(run.get(1).get("greedy_gain_vs_sft").get("lower").asDouble(), row.get("greedy_gain").get("lower").asDouble(), 0);
            d[i] = row.get("aligned_greedy").asDouble() - row.get("sft_greedy").asDouble();
            each &= row.get("greedy_gain").get("lower").asDouble() > 0;
        }
        // Two seeds: mean ± t_{1, 0.975} · sd / √2 with t_{1, 0.975} = 12.7062 (Student t table), sd with n − 1 = 1,
        // so sd = |d0 − d1| / √2 and the half-width is 12.7062 · |d0 − d1| / 2.
        JsonNode mean = dpo.get("mean_greedy_gain");
        assertEquals((d[0] + d[1]) / 2, mean.get("value").asDouble(), 1e-12);
        assertEquals(12.7062 * Math.abs(d[0] - d[1]) / 2, mean.get("upper").asDouble() - mean.get("value").asDouble(), 1e-3);
        assertEquals(Math.abs(sft[0] - sft[1]) / Math.sqrt(2), s.get("sft_greedy_sd_over_seeds").asDouble(), 1e-12);
        assertEquals(each && mean.get("lower").asDouble() > 0, dpo.get("criterion_met").asBoolean());
        assertTrue(Files.isRegularFile(tmp.resolve("study/seed-3/report.html")));
        // The study's own manifest (kind quickstart, so --overwrite may replace it) hashes seeds.json and each run's manifest.
        JsonNode m = Json.MAPPER.readTree(tmp.resolve("study/manifest.json").toFile());
        assertEquals("quickstart", m.get("kind").asText());
        assertEquals("sha256:" + dev.prefer.data.Hashes.sha256(r.summary()), m.get("inputs").get("seeds.json").asText());
        assertTrue(m.get("inputs").has("seed-3/manifest.json") && m.get("inputs").has("seed-4/manifest.json"), m.toString());
        // The console table says the same.
        String table = SeedStudy.table(r.seeds(), r.sftSd(), r.objectives());
        assertTrue(table.contains("mean greedy gain over 2 seeds") && table.contains(dpo.get("criterion_met").asBoolean() ? ": yes" : ": no"), table);

        assertThrows(IllegalArgumentException.class, () -> SeedStudy.run(c.withOut(tmp.resolve("one")), List.of(1L), null));
        assertThrows(IllegalArgumentException.class, () -> SeedStudy.run(c.withOut(tmp.resolve("rep")), List.of(1L, 1L), null));
    }
}
