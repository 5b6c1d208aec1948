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

/**
 * {@code prefer quickstart --method grpo|rloo|online-dpo|pref-grpo|nash-md} on the tiny setting of {@link QuickstartTest}
 * (seconds each): each online method runs after SFT, is evaluated and reported beside SFT, the control matches its
 * steps and rows, and pref-grpo learns its judge from verifier-labelled pairs and trains on win rates alone. Whether
 * any of it helps is measured at the default size in docs/results/online.md, not here.
 */
class QuickstartMethodTest {

    static QuickstartConfig tiny(Path out, String method, LearnedJudge.Kind kind) {
        QuickstartConfig c = QuickstartTest.tiny(out).withObjectives(List.of("dpo"));
        // judge: 24 prompts x 4 samples, 2 pairs each, a quarter for validation, 3 steps of 4 pairs
        LearnedJudge.Config judge = new LearnedJudge.Config(kind, 24, 4, List.of(1.0), 2, 0.25, 3, 4, 1e-3, 2.0, 0);
        return c.withOnline(new QuickstartConfig.Online(method, 2, 2, 3, 1e-3, judge));
    }

    @Test
    void everyOnlineMethodRunsAfterSftAndIsReported(@TempDir Path tmp) throws Exception {
        for (String run : List.of("grpo", "rloo", "online-dpo", "pref-grpo", "pref-grpo/score-head", "nash-md")) {
            String method = run.split("/")[0];
            LearnedJudge.Kind kind = run.endsWith("score-head") ? LearnedJudge.Kind.SCORE_HEAD : LearnedJudge.Kind.SIMPO;
            QuickstartConfig c = tiny(tmp.resolve(run.replace('/', '-')), method, kind);
            if (!method.equals("grpo")) c = c.withSftControl(false); // the control once is enough
            Quickstart.Result r = Quickstart.run(c, null);
            Path out = c.out();
            List<String> names = r.runs().stream().map(Quickstart.ObjectiveRun::objective).toList();
            assertEquals(method.equals("grpo") ? List.of(method, Quickstart.CONTROL) : List.of(method), names);
            assertTrue(Files.isRegularFile(out.resolve(method).resolve("model.safetensors")), method);
            List<String> metrics = Files.readAllLines(out.resolve(method).resolve("metrics.jsonl"));
            assertEquals(2, metrics.size(), method + ": one row per online step");
            JsonNode cfg = Json.MAPPER.readTree(out.resolve("manifest.json").toFile()).get("config");
            assertEquals(method, cfg.get("method").asText());
            assertEquals(2, cfg.get("online").get("steps").asInt());
            JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
            assertEquals("sft", summary.get("models").get(0).get("name").asText());
            assertEquals(method, summary.get("models").get(1).get("name").asText());
            assertTrue(summary.get("models").get(1).has("greedy_gain_vs_sft"), method);
            assertTrue(Files.readString(out.resolve("report.html")).contains(method + " (2 online steps of 2 prompts x 3 samples"), method);
            if (method.equals("grpo")) {
                // the control matches the online run: 2 steps of 2 prompts x 3 completions = 6 rows
                List<String> control = Files.readAllLines(out.resolve(Quickstart.CONTROL).resolve("metrics.jsonl"));
                assertEquals(2, Json.MAPPER.readTree(control.get(control.size() - 1)).get("step").asInt());
                JsonNode cm = Json.MAPPER.readTree(out.resolve(Quickstart.CONTROL).resolve("manifest.json").toFile()).get("config");
                assertEquals(6, cm.get("batch_size").asInt(), cm.toString());
                assertEquals(2, cm.get("max_steps").asInt(), cm.toString());
            }
            if (method.equals("pref-grpo")) {
                JsonNode judge = Json.MAPPER.readTree(out.resolve("judge/judge.json").toFile());
                assertTrue(judge.get("train_pairs").asInt() > 0, judge.toString());
                // the SimPO judge is the preference-trained LM itself (no reference); the score head a classification folder
                assertEquals(kind == LearnedJudge.Kind.SIMPO ? "pairwise:" + out.resolve("judge/model") + "?implicit=simpo&beta=2.0"
                        : "pairwise:" + out.resolve("judge/model"), judge.get("spec").asText());
                assertTrue(Files.readString(out.resolve("judge/model/config.json")).contains(kind == LearnedJudge.Kind.SIMPO ? "ForCausalLM" : "ForSequenceClassification"));
                // every pair's chosen response has the higher verifier score (counting is graded)
                for (String line : Files.readAllLines(out.resolve("judge/data/train-pairs.jsonl"))) {
                    JsonNode p = Json.MAPPER.readTree(line);
                    var task = dev.prefer.eval.tasks.Tasks.byName("counting");
                    assertTrue(task.verify(p.get("prompt").asText(), p.get("chosen").asText()).score()
                            > task.verify(p.get("prompt").asText(), p.get("rejected").asText()).score(), line);
                }
                // the reward is win rates within each group of 3: they average to exactly 1/2 (no verifier score)
                for (String line : metrics) assertEquals(0.5, Json.MAPPER.readTree(line).get("reward").asDouble(), 1e-9, line);
                assertTrue(Files.isRegularFile(out.resolve("judge/model/model.safetensors")));
            }
            if (method.equals("nash-md")) {
                // the same learned judge, read as P(policy sample > mixture sample), with TRL's mixture 0.5 and beta 0.1
                assertTrue(Files.isRegularFile(out.resolve("judge/judge.json")));
                assertTrue(Files.isRegularFile(out.resolve("judge/model/model.safetensors")));
                for (String line : metrics) {
                    JsonNode m = Json.MAPPER.readTree(line);
                    assertEquals(0.5, m.get("mixture_coef").asDouble(), 0, line);
                    assertEquals(0.1, m.get("beta").asDouble(), 0, line);
                }
            }
        }
    }

    @Test
    void aJudgeWithNothingToLearnFromIsRefusedInOneLine(@TempDir Path tmp) {
        // arithmetic after 4 SFT steps: every sample of every judge prompt fails the verifier, so there is no pair
        QuickstartConfig c = tiny(tmp.resolve("run"), "pref-grpo", LearnedJudge.Kind.SIMPO).withTask("arithmetic").withSftControl(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quickstart.run(c, null));
        // 24 judge prompts, a quarter held out for validation
        assertTrue(e.getMessage().startsWith("learned judge: no prompt among 18 had samples of different verifier scores"), e.getMessage());
        assertTrue(e.getMessage().contains("--judge-prompts"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void unknownMethodIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuickstartConfig.Online.defaults().withMethod("ppo"));
        assertTrue(e.getMessage().contains("unknown method: ppo"), e.getMessage());
    }
}
