package dev.prefer.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a tiny configuration (a 1-layer, width-32 model, a few steps; seconds): what it writes, that
 * the manifest records every setting and seed, that the report shows exactly the numbers of summary.json, and that
 * the same seed gives the same numbers. It says nothing about whether alignment helps at this size (it cannot);
 * docs/quickstart.md has the measured default-size runs.
 */
class QuickstartTest {

    /** Counting: its verifier score is graded (brevity), so even an untrained model's samples make pairs and lists. */
    static QuickstartConfig tiny(Path out) {
        return QuickstartConfig.defaults(out).withTask("counting").withData(120, 16).withModel(1, 32).withVocab(512)
                .withSft(4, 3e-3, 8).withObjectives(List.of("dpo", "plackett-luce")).withRounds(2, 8, 3)
                .withPreference(2, 1e-3, 4, 0.1).withSampling(1.0, 2);
    }

    @Test
    void writesOutputsManifestAndReportMatchingTheSummary(@TempDir Path tmp) throws Exception {
        QuickstartConfig c = tiny(tmp.resolve("run"));
        Quickstart.Result r = Quickstart.run(c, null);
        Path out = c.out();
        for (String f : List.of("report.html", "summary.json", "manifest.json", "setup/manifest.json", "setup/data/heldout.jsonl",
                "sft/model.safetensors", "sft/metrics.jsonl", "dpo/round-1/data.jsonl", "plackett-luce/round-1/data.jsonl")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        // Listwise rounds write ranked lists, pairwise rounds pairs.
        String list = Files.readAllLines(out.resolve("plackett-luce/round-1/data.jsonl")).get(0);
        assertTrue(list.contains("\"responses\"") && list.contains("\"scores\""), list);
        String pair = Files.readAllLines(out.resolve("dpo/round-1/data.jsonl")).get(0);
        assertTrue(pair.contains("\"chosen\"") && pair.contains("\"rejected\""), pair);
        assertTrue(Files.isRegularFile(r.runs().get(0).model().resolve("model.safetensors")));

        // Manifest: every setting of the config, and the derived seeds of every stage.
        JsonNode m = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        JsonNode cfg = m.get("config");
        assertEquals(0, m.get("seed").asLong());
        assertEquals("counting", cfg.get("task").asText());
        assertEquals(120, cfg.get("train_count").asInt());
        assertEquals(4, cfg.get("sft_steps").asInt());
        assertEquals(2, cfg.get("rounds").asInt());
        assertEquals("plackett-luce", cfg.get("objectives").get(1).asText());
        for (String key : c.toMap().keySet()) assertNotNull(cfg.get(key), key);
        JsonNode seeds = cfg.get("seeds");
        assertNotNull(seeds.get("sft (data order)"));
        assertNotNull(seeds.get("evaluation sampling"));
        for (String o : c.objectives()) {
            for (int round = 1; round <= 2; round++) assertNotNull(seeds.get(o + " round " + round + " (data order)"), o + " " + round);
        }

        // Report = summary: each model's table row, formatted here from summary.json's numbers, is in the HTML.
        JsonNode s = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        String html = Files.readString(out.resolve("report.html"));
        assertEquals(4, s.get("models").size(), "sft, the two objectives, the control");
        for (JsonNode row : s.get("models")) {
            List<String> cells = new ArrayList<>();
            cells.add(row.get("name").asText());
            cells.add(interval(row.get("greedy_accuracy")));
            cells.add(interval(row.get("sampled_accuracy")));
            cells.add(row.has("greedy_gain_vs_sft") ? signedInterval(row.get("greedy_gain_vs_sft")) : "-");
            cells.add(row.has("win_rate_vs_sft") ? interval(row.get("win_rate_vs_sft").get("win_rate")) : "-");
            cells.add(String.format(Locale.ROOT, "%.3f", row.get("ranking_accuracy").asDouble()));
            cells.add(row.get("idealized_ranking_accuracy").isNull() ? "-" : String.format(Locale.ROOT, "%.3f", row.get("idealized_ranking_accuracy").asDouble()));
            cells.add(row.get("alignment_gap").isNull() ? "-" : String.format(Locale.ROOT, "%+.3f", row.get("alignment_gap").asDouble()));
            cells.add(row.get("kl").isNull() ? "-" : String.format(Locale.ROOT, "%.4f", row.get("kl").get("k3").asDouble()));
            cells.add(String.format(Locale.ROOT, "%.1f", row.get("length_mean").asDouble()));
            StringBuilder tr = new StringBuilder("<tr>");
            for (int i = 0; i < cells.size(); i++) tr.append(i == 0 ? "<td class=\"l\">" : "<td>").append(cells.get(i)).append("</td>");
            assertTrue(html.contains(tr.append("</tr>")), "report row for " + row.get("name") + ": " + tr);
            // Accuracies are proportions of the 16 held-out prompts.
            double g = row.get("greedy_accuracy").get("value").asDouble();
            assertEquals(Math.round(g * 16) / 16.0, g, 1e-12);
            assertEquals(16, row.get("greedy_accuracy").get("n").asInt());
        }
        // The SFT baseline has no reference of its own, so no R*, no KL, no win rate; aligned models have all three.
        JsonNode sft = s.get("models").get(0);
        assertEquals("sft", sft.get("name").asText());
        assertTrue(sft.get("kl").isNull() && sft.get("idealized_ranking_accuracy").isNull() && !sft.has("win_rate_vs_sft"));
        JsonNode dpo = s.get("models").get(1);
        JsonNode w = dpo.get("win_rate_vs_sft");
        assertEquals(16, w.get("wins").asInt() + w.get("ties").asInt() + w.get("losses").asInt());
        assertEquals((w.get("wins").asInt() + 0.5 * w.get("ties").asInt()) / 16.0, w.get("win_rate").get("value").asDouble(), 1e-12);
        // The gains are paired differences on the same prompts: their point values are differences of the accuracies.
        for (String k : List.of("greedy", "sampled")) {
            JsonNode gain = dpo.get(k + "_gain_vs_sft");
            assertEquals(dpo.get(k + "_accuracy").get("value").asDouble() - sft.get(k + "_accuracy").get("value").asDouble(),
                    gain.get("value").asDouble(), 1e-12, k);
            assertTrue(gain.get("lower").asDouble() <= gain.get("upper").asDouble() && gain.get("n").asInt() == 16, k);
        }
        // The compute-matched control: rounds x steps per round more SFT steps, evaluated like the objectives.
        JsonNode ctl = s.get("models").get(3);
        assertEquals(Quickstart.CONTROL, ctl.get("name").asText());
        assertEquals(Quickstart.CONTROL, r.runs().get(2).objective());
        assertTrue(ctl.get("groups_per_round").isEmpty() && ctl.has("greedy_gain_vs_sft"));
        List<Double> steps = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(Quickstart.CONTROL + "/metrics.jsonl"))) {
            JsonNode j = Json.MAPPER.readTree(line);
            if (j.has("step") && j.has("loss")) steps.add(j.get("step").asDouble());
        }
        assertEquals(2 * 2, steps.get(steps.size() - 1), 1e-12, "2 rounds x 2 steps");
        assertNotNull(seeds.get(Quickstart.CONTROL + " (data order)"));
        // The counting task has no systematic mistake: no demonstrator slips, no split of the accuracy by it.
        assertEquals(1.0, cfg.get("sft_demonstration_accuracy").asDouble());
        assertTrue(!sft.has("demonstrator_mistake") && !html.contains("Where the demonstrator"));

        // The charts are inline SVG and the manifest is shown.
        assertTrue(html.contains("<svg") && html.contains("How this was made") && !html.contains("<script"));

        // Same seed, same SFT numbers and first-round training data. The preference stage is not compared:
        // its backward pass is not always bit-reproducible (measured at default size: identical until step 80 of
        // round 1, then ~1e-3 apart; the trainer's open determinism issue, docs/train.md), and a test must not flake.
        Quickstart.run(tiny(tmp.resolve("again")), null);
        JsonNode s2 = Json.MAPPER.readTree(tmp.resolve("again/summary.json").toFile());
        assertEquals(s.get("models").get(0).toString(), s2.get("models").get(0).toString());
        // (Not the SFT weights' bytes: fresh processes give identical files, but a second run in the same JVM was
        // measured to differ in the last bits while every number above agrees.)
        for (String f : List.of("dpo/round-1/data.jsonl", "plackett-luce/round-1/data.jsonl")) {
            assertEquals(Files.readString(out.resolve(f)), Files.readString(tmp.resolve("again").resolve(f)), f);
        }
    }

    /** A user's own model folder and prompts file: no setup model, no SFT; the given model is the base row and the reference. */
    @Test
    void alignsAGivenModelOnAGivenPromptsFile(@TempDir Path tmp) throws Exception {
        Quickstart.Result first = Quickstart.run(tiny(tmp.resolve("first")).withObjectives(List.of("dpo")), null);
        Path model = tmp.resolve("first/sft");
        StringBuilder rows = new StringBuilder();
        List<String> prompts = new ArrayList<>();
        for (int from = 1; from <= 40; from++) {
            String p = "count " + from + " to " + (from + 2 * 3) + " by 3:";
            prompts.add(p);
            rows.append("{\"prompt\":\"").append(p).append("\",\"note\":\"ignored\"}\n");
        }
        rows.append("{\"prompt\":\"count 1 to 7 by 3:\"}\n"); // a repeat counts once
        Path file = tmp.resolve("prompts.jsonl");
        Files.writeString(file, rows);
        QuickstartConfig c = tiny(tmp.resolve("mine")).withObjectives(List.of("dpo")).withModelDir(model).withPrompts(file);
        Quickstart.Result r = Quickstart.run(c, null);
        Path out = c.out();
        assertTrue(Files.notExists(out.resolve("sft")) && Files.notExists(out.resolve("setup/model-init")), "no model was built");
        assertEquals("base", r.sft().name());
        // Every held-out and training prompt comes from the file, on the side its hash gives it.
        List<String> held = Files.readAllLines(out.resolve("setup/data/heldout.jsonl"));
        List<String> train = Files.readAllLines(out.resolve("setup/data/train-prompts.jsonl"));
        assertEquals(40, held.size() + train.size(), "each distinct prompt once, on one side");
        for (String line : held) {
            String p = Json.MAPPER.readTree(line).get("prompt").asText();
            assertTrue(prompts.contains(p) && dev.prefer.eval.tasks.TaskData.isHeldOut("counting", p, 0.2), p);
        }
        for (String line : train) assertTrue(!dev.prefer.eval.tasks.TaskData.isHeldOut("counting", Json.MAPPER.readTree(line).get("prompt").asText(), 0.2));
        JsonNode m = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals(model.toString(), m.get("config").get("model").asText());
        assertEquals("sha256:" + dev.prefer.data.Hashes.sha256(file), m.get("inputs").get("prompts").asText());
        assertEquals("sha256:" + dev.prefer.data.Hashes.sha256(model.resolve("model.safetensors")), m.get("inputs").get("base/model.safetensors").asText());
        assertTrue(first.runs().size() == 2 && first.runs().get(1).objective().equals(Quickstart.CONTROL));
        assertTrue(r.runs().size() == 1 && Files.isRegularFile(r.runs().get(0).model().resolve("model.safetensors")), "no control without SFT data");

        // A prompt the task cannot read: one located line.
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\":\"count 1 to 7 by 3:\"}\n{\"prompt\":\"12+35=\"}\n");
        Exception e = assertThrows(dev.prefer.data.DataException.class,
                () -> Quickstart.run(tiny(tmp.resolve("bad")).withModelDir(model).withPrompts(bad), null));
        assertTrue(e.getMessage().contains("bad.jsonl:2") && e.getMessage().contains("prompt"), e.getMessage());
    }

    /**
     * Arithmetic with a slipping demonstrator: the SFT file shows the slip exactly where the manifest says, and the
     * held-out split by the slip's condition adds up to the overall greedy accuracy.
     */
    @Test
    void slippingDemonstratorWritesItsMistakesAndTheSplitAddsUp(@TempDir Path tmp) throws Exception {
        QuickstartConfig c = QuickstartConfig.defaults(tmp.resolve("arith")).withData(400, 40).withModel(1, 32).withSft(4, 3e-3, 8)
                .withObjectives(List.of("rpo")).withRounds(1, 8, 2).withPreference(2, 1e-3, 4, 0.1).withSampling(1.0, 2)
                .withDemoSlipRate(0.5).withSftControl(false);
        Quickstart.Result r = Quickstart.run(c, null);
        dev.prefer.eval.tasks.ArithmeticTask task = dev.prefer.eval.tasks.ArithmeticTask.defaults();
        int slipped = 0, carries = 0, rows = 0;
        for (String line : Files.readAllLines(c.out().resolve("setup/data/sft.jsonl"))) {
            JsonNode j = Json.MAPPER.readTree(line);
            var p = task.parse(j.get("prompt").asText());
            String completion = j.get("completion").asText();
            rows++;
            if (task.slip(p) != null) carries++;
            if (!completion.equals(p.reference())) {
                assertEquals(task.slip(p), completion, "a wrong demonstration is the slip: " + line);
                slipped++;
            }
        }
        assertEquals(400, rows);
        assertTrue(slipped > 0 && slipped < carries, slipped + " of " + carries);
        JsonNode cfg = Json.MAPPER.readTree(c.out().resolve("manifest.json").toFile()).get("config");
        assertEquals(1 - slipped / 400.0, cfg.get("sft_demonstration_accuracy").asDouble(), 1e-12);
        JsonNode setup = Json.MAPPER.readTree(c.out().resolve("setup/manifest.json").toFile()).get("config").get("demonstrator");
        assertEquals(slipped, setup.get("slipped").asInt());
        assertEquals(carries, setup.get("slippable").asInt());
        assertEquals(0.5, setup.get("slip_rate").asDouble());

        int heldCarries = 0;
        for (String line : Files.readAllLines(c.out().resolve("setup/data/heldout.jsonl"))) {
            if (task.slip(task.parse(Json.MAPPER.readTree(line).get("prompt").asText())) != null) heldCarries++;
        }
        JsonNode s = Json.MAPPER.readTree(c.out().resolve("summary.json").toFile());
        assertEquals(2, s.get("models").size(), "sft and rpo; no control");
        for (JsonNode m : s.get("models")) {
            JsonNode d = m.get("demonstrator_mistake");
            assertEquals(heldCarries, d.get("slippable_prompts").asInt());
            assertEquals(40 - heldCarries, d.get("other_prompts").asInt());
            double overall = (d.get("greedy_accuracy_slippable").asDouble() * heldCarries
                    + d.get("greedy_accuracy_others").asDouble() * (40 - heldCarries)) / 40;
            assertEquals(m.get("greedy_accuracy").get("value").asDouble(), overall, 1e-12, m.get("name").asText());
            assertTrue(d.get("greedy_answer_is_the_slip").asDouble() + d.get("greedy_accuracy_slippable").asDouble() <= 1 + 1e-12);
        }
        assertTrue(Files.readString(r.report()).contains("Where the demonstrator"));
    }

    @Test
    void refusesBadInput(@TempDir Path tmp) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> QuickstartConfig.defaults(tmp).withObjectives(List.of("nope")));
        assertThrows(IllegalArgumentException.class, () -> QuickstartConfig.defaults(tmp).withTask("chess"));
        assertThrows(IllegalArgumentException.class, () -> QuickstartConfig.defaults(tmp).withRounds(0, 8, 4));
        Files.writeString(tmp.resolve("x.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quickstart.run(tiny(tmp), null));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    private static String signedInterval(JsonNode e) {
        return String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", e.get("value").asDouble(), e.get("lower").asDouble(), e.get("upper").asDouble());
    }

    private static String interval(JsonNode e) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.get("value").asDouble(), e.get("lower").asDouble(), e.get("upper").asDouble());
    }
}
