package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefer train dpo|sft} end to end on the hf-tiny fixtures; the outputs work with logps and generate. */
class TrainCommandTest {

    @Test
    void dpoThenLogpsAndGenerateOnTheOutput(@TempDir Path tmp) throws Exception {
        Path f = LmCommandsTest.fixtures();
        Path out = tmp.resolve("run");
        String stdout = LmCommandsTest.runCapturing(0, "train", "dpo", "--model", f.resolve("gpt2/policy").toString(),
                "--ref", f.resolve("gpt2/reference").toString(), "--data", f.resolve("pairs.jsonl").toString(),
                "--out", out.toString(), "--max-steps", "3", "--batch-size", "5", "--learning-rate", "1e-3",
                "--cache-dir", tmp.resolve("cache").toString(), "--eval-fraction", "0.2");
        // not a terminal here: one progress line per logging step, the last one complete
        assertTrue(stdout.lines().anyMatch(l -> l.startsWith("train 100%") && l.contains(" 3/3 ")), stdout);
        assertTrue(!stdout.contains("\r"), stdout);
        assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        assertTrue(Files.exists(out.resolve("manifest.json")));
        String lp = LmCommandsTest.runCapturing(0, "logps", "--model", out.toString(), "--data", f.resolve("pairs.jsonl").toString());
        assertEquals(10, lp.strip().split("\n").length);
        String gen = LmCommandsTest.runCapturing(0, "generate", "--model", out.toString(), "--prompt", "Q: 1+1=", "--max-new-tokens", "4", "--greedy", "--json");
        assertTrue(gen.contains("new_ids"), gen);
    }

    @Test
    void sftWithLoraWritesAdapterAndMergedModel(@TempDir Path tmp) {
        Path f = LmCommandsTest.fixtures();
        Path out = tmp.resolve("sft");
        LmCommandsTest.runCapturing(0, "train", "sft", "--model", f.resolve("llama/policy").toString(),
                "--data", f.resolve("pairs.jsonl").toString(), "--out", out.toString(), "--max-steps", "2",
                "--lora", "--lora-rank", "4", "--learning-rate", "1e-3");
        assertTrue(Files.exists(out.resolve("adapter_config.json")));
        assertTrue(Files.exists(out.resolve("merged/model.safetensors")));
    }

    @Test
    void badInputExitsWithOneLine(@TempDir Path tmp) {
        Path f = LmCommandsTest.fixtures();
        String err = LmCommandsTest.runCapturing(2, "train", "dpo", "--model", f.resolve("gpt2/policy").toString(),
                "--data", f.resolve("pairs.jsonl").toString(), "--out", tmp.resolve("x").toString(), "--batch-size", "0");
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("batch size"), err);
        err = LmCommandsTest.runCapturing(2, "train", "dpo", "--model", f.resolve("gpt2/policy").toString(),
                "--data", f.resolve("pairs.jsonl").toString(), "--out", tmp.resolve("y").toString(), "--objective", "nope");
        assertTrue(err.startsWith("prefer:"), err);
    }
}
