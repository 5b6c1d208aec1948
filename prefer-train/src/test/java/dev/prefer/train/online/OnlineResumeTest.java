package dev.prefer.train.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during a GRPO run (LoRA with dropout, two iterations per generation batch, gradient accumulation, k3 KL to
 * a reference, cosine schedule), then resume: the final adapter is bitwise identical to an uninterrupted run's and
 * metrics.jsonl matches line for line (wall-clock step_time aside), sampled completions included, since sampling is
 * seeded by (seed, generation batch).
 */
class OnlineResumeTest {

    private static Process start(Path out, boolean resume, Path log) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dprefer.threads=1");
        cmd.add("-Dai.djl.offline=true");
        cmd.add(OnlineResumeChild.class.getName());
        cmd.add(out.toString());
        cmd.add(Boolean.toString(resume));
        cmd.add(OnlineFixtures.shared().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_WAIT_POLICY", "passive");
        return pb.start();
    }

    private static void finish(Process p, Path log) throws Exception {
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child did not finish");
        assertEquals(0, p.exitValue(), () -> {
            try {
                return Files.readString(log);
            } catch (Exception e) {
                return "exit " + p.exitValue();
            }
        });
    }

    @Test
    void killedAndResumedGrpoRunEndsWithIdenticalWeights(@TempDir Path tmp) throws Exception {
        Process full = start(tmp.resolve("full"), false, tmp.resolve("full.log"));
        finish(full, tmp.resolve("full.log"));

        Path out = tmp.resolve("killed");
        Process p = start(out, false, tmp.resolve("killed.log"));
        Path latest = out.resolve("checkpoints/latest");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.exists(latest) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        p.destroyForcibly();
        p.waitFor();
        assertTrue(Files.exists(latest), "no checkpoint appeared before the child exited");
        assertFalse(Files.exists(out.resolve("adapter_model.safetensors")), "the child finished before it was killed");

        Process resumed = start(out, true, tmp.resolve("resumed.log"));
        finish(resumed, tmp.resolve("resumed.log"));
        assertTrue(Files.readString(tmp.resolve("resumed.log")).contains("resumed from"), "did not resume");

        List<String> ma = Files.readAllLines(tmp.resolve("full/metrics.jsonl"));
        List<String> mb = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(ma.size(), mb.size());
        for (int i = 0; i < ma.size(); i++) assertEquals(strip(ma.get(i)), strip(mb.get(i)), "metrics line " + (i + 1));
        assertTrue(ma.get(ma.size() - 1).contains("eval/reward"), "no final evaluation: " + ma.get(ma.size() - 1));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("full/adapter_model.safetensors")),
                Files.readAllBytes(out.resolve("adapter_model.safetensors")), "final adapters differ");
        assertTrue(Files.exists(out.resolve("manifest.json")), "no manifest");
    }

    /** Drops the wall-clock field. */
    private static String strip(String line) {
        return line.replaceAll("\"step_time\":[^,}]*,?", "");
    }
}
