package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.PromptResponse;
import dev.prefer.lm.SequenceLogps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Unpaired rows ({@code prompt}, {@code completion}, {@code label}) in the trainer: KTO with its KL estimate from
 * mismatched pairs, and BCO, on ../shared/fixtures/hf-tiny.
 *
 * <p>Step-0 numbers are derived by hand from expected.json. The data are the two rows of fixture pair i,
 * (x_i, c_i, desirable) and (x_i, r_i, undesirable), one batch of 2. TRL's rotation within a batch gives row 1
 * the KL completion r_i and row 2 the completion c_i, both after x_i, so every sequence scored is in the fixture:
 * with ρ_c = π(c_i) − π_ref(c_i) and ρ_r likewise,
 * <pre>  z = max(0, (ρ_r + ρ_c) / 2)
 *   KTO loss = ½ [λ_D (1 − σ(β(ρ_c − z))) + λ_U (1 − σ(β(z − ρ_r)))]
 *   BCO loss = ½ [−log σ(βρ_c − δ) − log σ(−(βρ_r − δ))],  δ = (βρ_c + βρ_r) / 2
 *   rewards/chosen = βρ_c, rewards/rejected = βρ_r, kl (trainer metric) = mean of ρ over the 4 sequences.</pre>
 * The pairs are chosen so that z is positive for some and clamped to 0 for others (llama 0: z = 1.08, llama 1:
 * 0 from −2.54; gpt2 0: 0 from −0.41, gpt2 4: z = 1.23).
 */
class UnpairedTrainingTest {
    static final double BETA = 0.1;

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double logSigmoid(double x) {
        return -Math.log1p(Math.exp(-x));
    }

    /** Two unpaired rows from fixture pair {@code i}: chosen desirable, rejected undesirable. */
    static Path unpairedRows(Path dir, int i) throws Exception {
        JsonNode pair = Json.MAPPER.readTree(Files.readAllLines(Fixtures.hfTiny("pairs.jsonl")).get(i));
        Path f = dir.resolve("unpaired-" + i + ".jsonl");
        Files.write(f, List.of(
                Json.line(Map.of("prompt", pair.get("prompt").asText(), "completion", pair.get("chosen").asText(), "label", true)),
                Json.line(Map.of("prompt", pair.get("prompt").asText(), "completion", pair.get("rejected").asText(), "label", false))));
        return f;
    }

    static TrainConfig config(String arch, Path data, Path tmp, String objective, Map<String, Double> params) {
        return TrainConfig.defaults(TrainConfig.Task.PREFERENCE, Fixtures.hfTiny(arch, "policy"), data, tmp.resolve("out"))
                .withRef(Fixtures.hfTiny(arch, "reference")).withCacheDir(tmp.resolve("cache")).withBatch(2, 1)
                .withObjective(objective, params).withSchedule(TrainConfig.Schedule.CONSTANT, 0)
                .withLearningRate(0).withSteps(1, 1);
    }

    @ParameterizedTest
    @CsvSource({"llama, 0", "llama, 1", "gpt2, 0", "gpt2, 4"})
    void ktoStepZeroMatchesHandDerivation(String arch, int i, @TempDir Path tmp) throws Exception {
        JsonNode e = Fixtures.expected(arch).get("examples").get(i);
        double pc = e.get("policy_chosen_logps").asDouble(), pr = e.get("policy_rejected_logps").asDouble();
        double rhoC = pc - e.get("reference_chosen_logps").asDouble();
        double rhoR = pr - e.get("reference_rejected_logps").asDouble();
        double lamD = 1.0, lamU = 1.5;
        double z = Math.max(0, (rhoR + rhoC) / 2);
        double loss = 0.5 * (lamD * (1 - sigmoid(BETA * (rhoC - z))) + lamU * (1 - sigmoid(BETA * (z - rhoR))));

        Trainer.run(config(arch, unpairedRows(tmp, i), tmp, "kto",
                Map.of("beta", BETA, "desirable-weight", lamD, "undesirable-weight", lamU)), null);
        JsonNode row = Fixtures.metrics(tmp.resolve("out")).get(0);
        assertEquals(loss, row.get("loss").asDouble(), 1e-6);
        assertEquals(BETA * rhoC, row.get("rewards/chosen").asDouble(), 1e-5);
        assertEquals(BETA * rhoR, row.get("rewards/rejected").asDouble(), 1e-5);
        assertEquals(BETA * (rhoC - rhoR), row.get("rewards/margins").asDouble(), 1e-5);
        assertEquals(pc, row.get("logps/chosen").asDouble(), 1e-4);
        assertEquals(pr, row.get("logps/rejected").asDouble(), 1e-4);
        assertEquals((rhoC + rhoR) / 2, row.get("log_ratio/mean").asDouble(), 1e-4);
    }

    @ParameterizedTest
    @CsvSource({"llama, 0", "gpt2, 4"})
    void bcoStepZeroMatchesHandDerivation(String arch, int i, @TempDir Path tmp) throws Exception {
        JsonNode e = Fixtures.expected(arch).get("examples").get(i);
        double rc = BETA * (e.get("policy_chosen_logps").asDouble() - e.get("reference_chosen_logps").asDouble());
        double rr = BETA * (e.get("policy_rejected_logps").asDouble() - e.get("reference_rejected_logps").asDouble());
        double delta = (rc + rr) / 2;
        double loss = 0.5 * (-logSigmoid(rc - delta) - logSigmoid(-(rr - delta)));

        Trainer.run(config(arch, unpairedRows(tmp, i), tmp, "bco", Map.of("beta", BETA, "unpaired", 1.0)), null);
        JsonNode row = Fixtures.metrics(tmp.resolve("out")).get(0);
        assertEquals(loss, row.get("loss").asDouble(), 1e-6);
        assertEquals(rc, row.get("rewards/chosen").asDouble(), 1e-5);
        assertEquals(rr, row.get("rewards/rejected").asDouble(), 1e-5);
    }

    @Test
    void bcoEvaluationUsesTheRunningDeltaOfTraining(@TempDir Path tmp) throws Exception {
        // Train one step (learning rate 0) on the rows of llama pair 0, evaluate on those of pair 4: TRL's BCO uses
        // δ = the running mean of the training rewards there, ½ β(ρ_c0 + ρ_r0), not the evaluation batch's mean.
        JsonNode ex = Fixtures.expected("llama").get("examples");
        double delta = BETA * 0.5 * (rho(ex.get(0), "chosen") + rho(ex.get(0), "rejected"));
        double rc = BETA * rho(ex.get(4), "chosen"), rr = BETA * rho(ex.get(4), "rejected");
        double expected = 0.5 * (-logSigmoid(rc - delta) - logSigmoid(-(rr - delta)));
        TrainConfig c = config("llama", unpairedRows(tmp, 0), tmp, "bco", Map.of("beta", BETA, "unpaired", 1.0))
                .withEval(unpairedRows(tmp, 4), 0);
        Trainer.TrainResult r = Trainer.run(c, null);
        assertEquals(expected, ((Number) r.evalMetrics().get("eval/loss")).doubleValue(), 1e-6);
    }

    static double rho(JsonNode e, String which) {
        return e.get("policy_" + which + "_logps").asDouble() - e.get("reference_" + which + "_logps").asDouble();
    }

    @Test
    void bcoResumeRestoresTheRunningDelta(@TempDir Path tmp) throws Exception {
        Path data = eighteenRows(tmp, new ArrayList<>());
        TrainConfig full = config("llama", data, tmp, "bco", Map.of("beta", BETA, "unpaired", 1.0)).withBatch(6, 1)
                .withLearningRate(1e-3).withSteps(4, 1).withEvery(1, 2, 0);
        Trainer.run(full, null);
        byte[] want = Files.readAllBytes(tmp.resolve("out/model.safetensors"));
        for (boolean keepState : new boolean[] {true, false}) {
            // a run "interrupted" after step 2: its out folder holds only the step-2 checkpoint
            Path out = tmp.resolve("resumed-" + keepState);
            Path ck = out.resolve("checkpoints/step-2");
            Files.createDirectories(ck);
            for (String f : List.of("trainable.safetensors", "optimizer.safetensors", "state.json")) {
                Files.copy(tmp.resolve("out/checkpoints/step-2").resolve(f), ck.resolve(f));
            }
            if (!keepState) {
                com.fasterxml.jackson.databind.node.ObjectNode st = (com.fasterxml.jackson.databind.node.ObjectNode) readJson(ck.resolve("state.json"));
                assertTrue(st.has("objective_state"));
                st.remove("objective_state");
                Files.writeString(ck.resolve("state.json"), Json.pretty(st));
            }
            Files.writeString(out.resolve("checkpoints/latest"), "step-2\n");
            Trainer.run(full.withOut(out).withResume(true), null);
            boolean same = java.util.Arrays.equals(want, Files.readAllBytes(out.resolve("model.safetensors")));
            assertEquals(keepState, same, keepState ? "resumed weights differ" : "the running δ made no difference");
        }
    }

    /** The 9 distinguishable fixture pairs (row 6 has chosen == rejected) as 18 unpaired rows. */
    static Path eighteenRows(Path dir, List<String[]> rowsOut) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(Fixtures.hfTiny("pairs.jsonl"))) {
            JsonNode p = Json.MAPPER.readTree(l);
            if (p.get("chosen").asText().equals(p.get("rejected").asText())) continue;
            for (boolean good : new boolean[] {true, false}) {
                String c = p.get(good ? "chosen" : "rejected").asText();
                lines.add(Json.line(Map.of("prompt", p.get("prompt").asText(), "completion", c, "label", good)));
                rowsOut.add(new String[] {p.get("prompt").asText(), c, Boolean.toString(good)});
            }
        }
        Path f = dir.resolve("unpaired18.jsonl");
        Files.write(f, lines);
        return f;
    }

    /** β · mean reward of desirable rows minus that of undesirable rows, policy from {@code policyDir}. */
    static double margin(Path policyDir, Path refDir, List<String[]> rows) {
        List<PromptResponse> prs = new ArrayList<>();
        for (String[] r : rows) prs.add(new PromptResponse(r[0], r[1]));
        List<SequenceLogps> p, q;
        try (CausalLM lm = CausalLM.load(policyDir, dev.prefer.lm.Precision.F32)) {
            p = lm.logps(prs);
        }
        try (CausalLM lm = CausalLM.load(refDir, dev.prefer.lm.Precision.F32)) {
            q = lm.logps(prs);
        }
        double good = 0, bad = 0;
        int ng = 0, nb = 0;
        for (int j = 0; j < rows.size(); j++) {
            double reward = BETA * (p.get(j).sum() - q.get(j).sum());
            if (Boolean.parseBoolean(rows.get(j)[2])) {
                good += reward;
                ng++;
            } else {
                bad += reward;
                nb++;
            }
        }
        return good / ng - bad / nb;
    }

    @ParameterizedTest
    @CsvSource({"kto, 0", "bco, 1"})
    void shortRunRaisesTheRewardMargin(String objective, double unpaired, @TempDir Path tmp) throws Exception {
        List<String[]> rows = new ArrayList<>();
        Path data = eighteenRows(tmp, rows);
        Map<String, Double> params = unpaired == 1 ? Map.of("beta", BETA, "unpaired", 1.0) : Map.of("beta", BETA);
        TrainConfig c = config("llama", data, tmp, objective, params).withBatch(18, 1).withLearningRate(1e-3).withSteps(20, 1);
        Trainer.run(c, null);
        List<JsonNode> m = Fixtures.metrics(tmp.resolve("out"));
        assertEquals(20, m.size());
        double first = m.get(0).get("rewards/margins").asDouble(), last = m.get(19).get("rewards/margins").asDouble();
        assertTrue(last > first + 1, objective + ": logged margin " + first + " -> " + last);
        assertTrue(m.get(19).get("loss").asDouble() < m.get(0).get("loss").asDouble(), objective + ": loss did not fall");
        // Independently of the trainer's metrics: score the saved model and its reference with prefer-lm.
        Path ref = Fixtures.hfTiny("llama", "reference");
        double before = margin(Fixtures.hfTiny("llama", "policy"), ref, rows);
        double after = margin(tmp.resolve("out"), ref, rows);
        assertEquals(first, before, 1e-4, "step-0 margin = the initial policy's");
        assertTrue(after > before + 1, objective + ": margin " + before + " -> " + after);
    }

    @Test
    void conversationalRowsAreRenderedWithTheChatTemplate(@TempDir Path tmp) throws Exception {
        Path model = SftDataTest.modelWithTemplate(tmp);
        Path data = tmp.resolve("chat-unpaired.jsonl");
        Files.write(data, List.of(
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"Q: 12+7=\"}], \"completion\": [{\"role\": \"assistant\", \"content\": \" 19\"}], \"label\": true}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"Q: 3+4=\"}], \"completion\": [{\"role\": \"assistant\", \"content\": \" 8\"}], \"label\": false}"));
        dev.prefer.objectives.Requirements kto = dev.prefer.objectives.ObjectiveCatalog.create("kto", Map.of()).requirements();
        try (CausalLM lm = CausalLM.load(model)) {
            List<TrainExample> ex = TrainData.withKlSamples(
                    TrainData.preferences(data, lm, kto, dev.prefer.data.pref.LengthConfig.UNLIMITED, false).examples(), 2,
                    dev.prefer.data.pref.LengthConfig.UNLIMITED, lm);
            // by hand from the template: prompt "<|user|>Q: 12+7=\n<|assistant|>", completion " 19\n"
            dev.prefer.lm.TokenizedSequence first = lm.tokenize(new PromptResponse("<|user|>Q: 12+7=\n<|assistant|>", " 19\n"));
            dev.prefer.lm.TokenizedSequence second = lm.tokenize(new PromptResponse("<|user|>Q: 3+4=\n<|assistant|>", " 8\n"));
            org.junit.jupiter.api.Assertions.assertArrayEquals(first.promptIds(), ex.get(0).prompt());
            org.junit.jupiter.api.Assertions.assertArrayEquals(first.responseIds(), ex.get(0).responses().get(0));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1}, ex.get(0).labels());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0}, ex.get(1).labels());
            // the KL sample of each row: the other row's completion after its own prompt
            org.junit.jupiter.api.Assertions.assertArrayEquals(second.responseIds(), ex.get(0).klResponse());
            org.junit.jupiter.api.Assertions.assertArrayEquals(first.responseIds(), ex.get(1).klResponse());
            org.junit.jupiter.api.Assertions.assertArrayEquals(second.promptIds(), ex.get(1).prompt());
        }
        Trainer.TrainResult r = Trainer.run(TrainConfig.defaults(TrainConfig.Task.PREFERENCE, model, data, tmp.resolve("out"))
                .withObjective("kto", Map.of()).withCacheDir(tmp.resolve("cache")).withBatch(2, 1).withSteps(2, 1).withLearningRate(1e-3), null);
        assertTrue(Double.isFinite(((Number) r.lastMetrics().get("loss")).doubleValue()));
    }

    @Test
    void pairsAreSplitIntoRowsForKto(@TempDir Path tmp) {
        // TRL unpairs preference data for KTO: chosen desirable, rejected undesirable, in file order.
        TrainConfig c = config("llama", Fixtures.hfTiny("pairs.jsonl"), tmp, "kto", Map.of("beta", BETA)).withBatch(20, 1);
        Trainer.TrainResult r = Trainer.run(c, null);
        assertEquals(1, r.steps());
        JsonNode manifest = readJson(tmp.resolve("out/manifest.json"));
        assertEquals(20, manifest.path("config").path("train_groups").asInt(), manifest.toString());
    }

    static JsonNode readJson(Path p) {
        try {
            return Json.MAPPER.readTree(p.toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void badRowsNameFileLineAndField(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        Files.write(f, List.of(
                "{\"prompt\": \"Q: 1+1=\", \"completion\": \" 2\", \"label\": true}",
                "{\"prompt\": \"Q: 1+2=\", \"completion\": \" 3\", \"label\": \"yes\"}",
                "{\"prompt\": \"Q: 1+3=\", \"completion\": \" 4\"}",
                "{\"prompt\": \"Q: 1+4=\", \"label\": false}"));
        DataException e = assertThrows(DataException.class, () -> Trainer.run(config("llama", f, tmp, "kto", Map.of()), null));
        assertTrue(e.getMessage().startsWith(f + ":2: field 'label': "), e.getMessage());

        Files.write(f, List.of(Files.readAllLines(f).get(0), Files.readAllLines(f).get(2)));
        e = assertThrows(DataException.class, () -> Trainer.run(config("llama", f, tmp, "kto", Map.of()), null));
        assertTrue(e.getMessage().startsWith(f + ":2: field 'label': missing"), e.getMessage());

        Path g = tmp.resolve("bad2.jsonl");
        Files.write(g, List.of("{\"prompt\": \"Q: 1+1=\", \"completion\": \" 2\", \"label\": true}",
                "{\"prompt\": \"Q: 1+4=\", \"label\": false}"));
        e = assertThrows(DataException.class, () -> Trainer.run(config("llama", g, tmp, "kto", Map.of()), null));
        assertTrue(e.getMessage().startsWith(g + ":2: field 'completion'"), e.getMessage());

        // Unpaired rows given to a pairwise objective: located, and says what would work.
        Path ok = unpairedRows(tmp, 0);
        e = assertThrows(DataException.class, () -> Trainer.run(config("llama", ok, tmp, "dpo", Map.of()), null));
        assertTrue(e.getMessage().startsWith(ok + ":1: field 'label': unpaired rows"), e.getMessage());
    }

    @Test
    void skipBadRowsCountsThem(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("some-bad.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(unpairedRows(tmp, 0)));
        lines.add("{\"prompt\": \"Q: 1+2=\", \"completion\": \" 3\", \"label\": 2}");
        Files.write(f, lines);
        TrainConfig c = config("llama", f, tmp, "kto", Map.of()).withSkipBadRows(true);
        Trainer.run(c, null);
        JsonNode manifest = readJson(tmp.resolve("out/manifest.json"));
        assertEquals(1, manifest.path("config").path("skipped_rows").asInt(), manifest.toString());
        assertEquals(2, manifest.path("config").path("train_groups").asInt());
    }
}
