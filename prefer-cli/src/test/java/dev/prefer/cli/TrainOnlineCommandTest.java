package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.train.online.OnlinePrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefer train grpo|rloo|reinforce-pp|online-dpo|nash-md|sppo|dno|inpo} end to end on the hf-tiny fixture with the arithmetic verifier. */
class TrainOnlineCommandTest {

    static Path prompts(Path dir) throws Exception {
        Path p = dir.resolve("prompts.jsonl");
        Files.write(p, List.of("{\"prompt\": \"07+38=\"}", "{\"prompt\": \"12+30=\", \"id\": 2}", "{\"prompt\": \"55+05=\"}", "{\"prompt\": \"91+09=\"}"));
        return p;
    }

    @Test
    void everyOnlineMethodTrainsTwoStepsWithTheVerifier(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path prompts = prompts(tmp);
        for (String method : List.of("grpo", "rloo", "reinforce-pp", "online-dpo")) {
            Path out = tmp.resolve(method);
            String stdout = LmCommandsTest.runCapturing(0, "train", method, "--model", f.resolve("llama/policy").toString(),
                    "--prompts", prompts.toString(), "--eval-prompts", prompts.toString(), "--reward", "verifier:arithmetic",
                    "--out", out.toString(), "--max-steps", "2", "--batch-size", "2", "--num-generations", "2",
                    "--max-completion-length", "4", "--learning-rate", "1e-3", "--save-every", "1");
            assertTrue(stdout.lines().anyMatch(l -> l.startsWith("train 100%") && l.contains(" 2/2 ")), stdout);
            List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
            assertEquals(2, lines.size(), method);
            JsonNode last = Json.MAPPER.readTree(lines.get(1));
            for (String k : List.of("loss", "reward", "rewards/arithmetic/mean", "completions/mean_length", "num_tokens", "step_time", "eval/reward")) {
                assertTrue(last.has(k), method + " lacks " + k + ": " + last);
            }
            JsonNode manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
            assertEquals(method, manifest.path("config").path("online").path("method").asText(), manifest.toString());
            assertTrue(Files.exists(out.resolve("model.safetensors")), method);
        }
        // --resume-if-exists on a finished run: resumes from its last checkpoint and ends at once
        String again = LmCommandsTest.runCapturing(0, "train", "grpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts.toString(), "--eval-prompts", prompts.toString(), "--reward", "verifier:arithmetic",
                "--out", tmp.resolve("grpo").toString(), "--max-steps", "2", "--batch-size", "2", "--num-generations", "2",
                "--max-completion-length", "4", "--learning-rate", "1e-3", "--save-every", "1", "--resume-if-exists");
        assertTrue(again.contains("resumed from"), again);
    }

    @Test
    void grpoTakesAnyRewardSource(@TempDir Path tmp) throws Exception {
        // a pairwise reward model (win rates within each group) beside the verifier, as prefer score --reward takes them
        Path f = LmCommandsTest.fixtures();
        Path rm = f.getParent().resolve("hf-tiny-rm/llama-rm");
        Path out = tmp.resolve("grpo");
        LmCommandsTest.runCapturing(0, "train", "grpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts(tmp).toString(), "--reward", "verifier:arithmetic", "--reward", "pairwise:" + rm,
                "--reward-weights", "1,0.5", "--out", out.toString(), "--max-steps", "1", "--batch-size", "2",
                "--num-generations", "2", "--max-completion-length", "4", "--learning-rate", "1e-3");
        JsonNode row = Json.MAPPER.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
        assertTrue(row.has("rewards/arithmetic/mean") && row.has("rewards/pairwise:" + rm + "/mean"), row.toString());
        // win rates of the two completions of a prompt sum to 1: their mean is 1/2
        assertEquals(0.5, row.get("rewards/pairwise:" + rm + "/mean").asDouble(), 1e-9, row.toString());
    }

    @Test
    void onlineDpoTakesAListwiseObjective(@TempDir Path tmp) throws Exception {
        // the G = 3 completions of each prompt ranked by a pairwise reward model's win rates (rarely tied), plackett-luce on each list
        Path f = LmCommandsTest.fixtures();
        Path rm = f.getParent().resolve("hf-tiny-rm/llama-rm");
        Path out = tmp.resolve("olist");
        LmCommandsTest.runCapturing(0, "train", "online-dpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts(tmp).toString(), "--reward", "pairwise:" + rm, "--objective", "plackett-luce",
                "--objective-params", "beta=0.2", "--out", out.toString(), "--max-steps", "2", "--batch-size", "2",
                "--num-generations", "3", "--max-completion-length", "4", "--learning-rate", "1e-3");
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        double lists = 0;
        for (String l : lines) {
            JsonNode row = Json.MAPPER.readTree(l);
            assertTrue(row.has("lists") && !row.has("pairs"), row.toString());
            lists += row.get("lists").asDouble();
        }
        assertTrue(lists > 0, "no ranked list in two steps: " + lines);
        JsonNode manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals("plackett-luce", manifest.path("config").path("objective").asText(), manifest.toString());
    }

    @Test
    void nashAndSelfPlayVerbsTrainWithAPairwiseModel(@TempDir Path tmp) throws Exception {
        // a pairwise preference model as the judge: its win matrices feed Nash-MD, SPPO, DNO and INPO
        Path f = LmCommandsTest.fixtures();
        Path rm = f.getParent().resolve("hf-tiny-rm/llama-rm");
        Path prompts = prompts(tmp);
        for (String method : List.of("nash-md", "sppo", "dno", "inpo")) {
            Path out = tmp.resolve(method);
            List<String> args = new java.util.ArrayList<>(List.of("train", method, "--model", f.resolve("llama/policy").toString(),
                    "--prompts", prompts.toString(), "--reward", "pairwise:" + rm, "--out", out.toString(), "--max-steps", "2",
                    "--batch-size", "2", "--num-generations", "2", "--max-completion-length", "4", "--learning-rate", "1e-3",
                    "--save-every", "2"));
            if (!method.equals("nash-md")) args.addAll(List.of("--round-batches", "2"));
            if (method.equals("dno")) args.addAll(List.of("--margin", "0"));
            LmCommandsTest.runCapturing(0, args.toArray(String[]::new));
            List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
            assertEquals(2, lines.size(), method);
            JsonNode row = Json.MAPPER.readTree(lines.get(1));
            String key = switch (method) {
                case "nash-md" -> "rewards/probabilities";
                case "sppo" -> "win_rate/mean";
                case "dno" -> "win_rate/mean";
                default -> "pairs";
            };
            assertTrue(row.has(key) && row.has("reward") && row.has("num_tokens"), method + " lacks " + key + ": " + row);
            JsonNode online = Json.MAPPER.readTree(out.resolve("manifest.json").toFile()).path("config").path("online");
            assertEquals(method, online.path("method").asText(), online.toString());
            if (!method.equals("nash-md")) assertEquals(2, online.path("round_batches").asInt(), online.toString());
            assertTrue(Files.exists(out.resolve("model.safetensors")), method);
        }
        // a bad combination is refused with one line
        String err = LmCommandsTest.runCapturing(2, "train", "inpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts.toString(), "--reward", "pairwise:" + rm, "--out", tmp.resolve("x").toString(), "--eta", "4", "--tau", "0.5");
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("eta * tau"), err);
    }

    @Test
    void chatRendersPromptsWithTheTemplateAndTheRewardsSeeThePlainText(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(LmCommandsTest.fixtures().resolve("llama/policy"))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, model.resolve(f.getFileName()));
        }
        ObjectNode cfg = (ObjectNode) Json.MAPPER.readTree(Files.readString(model.resolve("tokenizer_config.json")));
        cfg.put("chat_template", "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}<a>{% endif %}");
        Files.writeString(model.resolve("tokenizer_config.json"), Json.pretty(cfg));
        Path prompts = Files.writeString(tmp.resolve("p.jsonl"), "{\"prompt\": \"07+38=\", \"id\": 1}\n"
                + "{\"messages\": [{\"role\": \"system\", \"content\": \"add\"}, {\"role\": \"user\", \"content\": \"12+30=\"}]}\n");
        Map<String, String> hashes = new java.util.LinkedHashMap<>();
        for (String mode : List.of("chat", "plain")) {
            Path p = prompts;
            if (mode.equals("plain")) p = Files.writeString(tmp.resolve("plain.jsonl"), "{\"prompt\": \"07+38=\", \"id\": 1}\n{\"prompt\": \"12+30=\"}\n");
            List<String> args = new java.util.ArrayList<>(List.of("train", "grpo", "--model", model.toString(), "--prompts", p.toString(),
                    "--eval-prompts", p.toString(), "--reward", "verifier:arithmetic", "--out", tmp.resolve(mode).toString(), "--max-steps", "1",
                    "--batch-size", "2", "--num-generations", "2", "--max-completion-length", "4", "--learning-rate", "1e-3"));
            if (mode.equals("chat")) args.add("--chat");
            LmCommandsTest.runCapturing(0, args.toArray(String[]::new));
            // the verifier parsed every prompt (it refuses "<user>07+38=..."), during training and at the evaluation
            JsonNode row = Json.MAPPER.readTree(Files.readAllLines(tmp.resolve(mode).resolve("metrics.jsonl")).get(0));
            assertTrue(row.has("rewards/arithmetic/mean") && row.has("eval/reward"), row.toString());
            hashes.put(mode, Json.MAPPER.readTree(tmp.resolve(mode).resolve("manifest.json").toFile()).path("config").path("prompts_sha256").asText());
        }
        // what the policy continues: the template's rendering, tokenized (checked against the template applied by hand);
        // the rewards get the plain text (for a conversation its last user message) and the row's other fields
        try (CausalLM lm = CausalLM.load(model)) {
            List<OnlinePrompt> ps = TrainOnlineCommand.chatPrompts(lm, TrainOnlineCommand.readRows(prompts, true), prompts, 4);
            assertArrayEquals(lm.encodePrompt("<user>07+38=\n<a>"), ps.get(0).promptIds());
            assertArrayEquals(lm.encodePrompt("<system>add\n<user>12+30=\n<a>"), ps.get(1).promptIds());
            assertEquals(List.of("07+38=", "12+30="), ps.stream().map(OnlinePrompt::prompt).toList());
            assertEquals(Map.of("id", 1), ps.get(0).fields());
            assertEquals(Map.of(), ps.get(1).fields());
            // the run's manifest hashes exactly these prompts (text, fields, rendered ids), unlike the plain run's
            StringBuilder sb = new StringBuilder();
            for (OnlinePrompt q : ps) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("prompt", q.prompt());
                m.put("fields", q.fields());
                m.put("prompt_ids", q.promptIds());
                sb.append(Json.line(m)).append('\n');
            }
            assertEquals(dev.prefer.data.Hashes.sha256(sb.toString()), hashes.get("chat"));
            assertNotEquals(hashes.get("plain"), hashes.get("chat"));
        }
        // a conversation without --chat, and --chat on a checkpoint without a template: one-line errors
        String err = LmCommandsTest.runCapturing(2, "train", "grpo", "--model", model.toString(), "--prompts", prompts.toString(),
                "--reward", "verifier:arithmetic", "--out", tmp.resolve("x").toString());
        assertTrue(err.contains("p.jsonl:2") && err.contains("messages") && err.contains("--chat"), err);
        err = LmCommandsTest.runCapturing(2, "train", "grpo", "--model", LmCommandsTest.fixtures().resolve("llama/policy").toString(),
                "--prompts", prompts.toString(), "--reward", "verifier:arithmetic", "--chat", "--out", tmp.resolve("y").toString());
        assertTrue(err.contains("tokenizer_config.json") && err.contains("chat"), err);
        assertEquals(1, err.strip().lines().count(), err);
    }

    @Test
    void badInputExitsWithOneLine(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path prompts = prompts(tmp);
        String err = LmCommandsTest.runCapturing(2, "train", "grpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts.toString(), "--reward", "judge:x", "--out", tmp.resolve("a").toString());
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("judge:x"), err); // the spec parser of prefer-reward names the bad spec
        Path bad = tmp.resolve("bad.jsonl");
        Files.write(bad, List.of("{\"prompt\": \"07+38=\"}", "{\"text\": \"no prompt\"}"));
        err = LmCommandsTest.runCapturing(2, "train", "grpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", bad.toString(), "--reward", "verifier:arithmetic", "--out", tmp.resolve("b").toString());
        assertTrue(err.contains("bad.jsonl") && err.contains("2") && err.contains("prompt"), err);
        err = LmCommandsTest.runCapturing(2, "train", "rloo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts.toString(), "--reward", "verifier:arithmetic", "--out", tmp.resolve("c").toString(), "--num-generations", "1");
        assertTrue(err.contains("num generations >= 2"), err);
        err = LmCommandsTest.runCapturing(2, "train", "grpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts.toString(), "--reward", "verifier:counting", "--out", tmp.resolve("d").toString());
        assertTrue(err.contains("is not a counting prompt"), err);
        err = LmCommandsTest.runCapturing(2, "train", "grpo", "--model", f.resolve("llama/policy").toString(),
                "--prompts", prompts.toString(), "--reward", "verifier:arithmetic", "--out", tmp.resolve("e").toString(),
                "--num-iterations", "2", "--save-every", "3");
        assertTrue(err.contains("multiple of num iterations"), err);
    }
}
