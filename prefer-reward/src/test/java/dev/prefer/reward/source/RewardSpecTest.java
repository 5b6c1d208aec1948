package dev.prefer.reward.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardSpecTest {
    @Test
    void parsesKindsWeightsAndParams() {
        RewardSpec v = RewardSpec.parse("verifier:arithmetic");
        assertEquals("verifier", v.kind());
        assertEquals("arithmetic", v.target());
        assertEquals(1.0, v.weight());
        assertEquals("verifier:arithmetic", v.name());

        RewardSpec w = RewardSpec.parse(" 0.5 * model:runs/rm?annotator=alice ");
        assertEquals(0.5, w.weight());
        assertEquals("runs/rm", w.target());
        assertEquals(Map.of("annotator", "alice"), w.params());
        assertEquals("model:runs/rm?annotator=alice", w.name());

        RewardSpec j = RewardSpec.parse("-2e-1*judge:http://127.0.0.1:8000/v1?model=qwen%2F7b&mode=pairwise&max_tokens=16");
        assertEquals(-0.2, j.weight(), 1e-15);
        assertEquals("http://127.0.0.1:8000/v1", j.target());
        assertEquals("qwen/7b", j.params().get("model"));
        assertEquals("judge:http://127.0.0.1:8000/v1?model=qwen%2F7b&mode=pairwise&max_tokens=16", j.name());
        assertEquals("judge", RewardSpec.parse("0.3*judge:http://h/v1?model=m&name=judge").name());
        assertEquals("16", j.params().get("max-tokens"), "snake_case keys are accepted as kebab-case");
    }

    @Test
    void errorsAreOneLineAndQuoteTheSpec() {
        for (String[] c : new String[][] {
                {"verifyer:arithmetic", "unknown kind 'verifyer'"},
                {"arithmetic", "expected KIND:TARGET"},
                {"model:", "model needs a target"},
                {"model:runs/rm?head=gpm", "unknown key 'head' for model; expected one of [annotator, name]"},
                {"verifier:arithmetic?x=1", "unknown key 'x' for verifier; expected one of [name]"},
                {"verifier:arithmetic?name=", "name= is empty"},
                {"judge:http://h/v1?model=a&model=b", "given twice"},
                {"judge:http://h/v1?model", "expected key=value"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RewardSpec.parse(c[0]));
            assertTrue(e.getMessage().startsWith("reward spec '" + c[0] + "': "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertThrows(IllegalArgumentException.class, () -> RewardSpec.parse(" "));
    }

    @Test
    void judgeSettingsFromTheSpec(@TempDir Path dir) throws Exception {
        Path rubric = dir.resolve("rubric.txt");
        Files.writeString(rubric, "Q {prompt} A {response_a} B {response_b}");
        RewardSources.Options o = RewardSources.Options.defaults().withJudgeCache(dir.resolve("c")).withApiKeyEnv("MY_KEY");
        JudgeConfig c = RewardSources.judgeConfig(RewardSpec.parse("judge:http://127.0.0.1:9/v1?model=m&mode=pairwise&rubric=" + rubric
                + "&timeout=2.5&retries=0&concurrency=8&malformed=skip&scale=0-5&orders=one&temperature=0.7"), o);
        assertEquals(JudgeConfig.Mode.PAIRWISE, c.mode());
        assertEquals("Q {prompt} A {response_a} B {response_b}", c.rubric());
        assertEquals(Duration.ofMillis(2500), c.timeout());
        assertEquals(0, c.retries());
        assertEquals(8, c.concurrency());
        assertEquals(JudgeConfig.Malformed.SKIP, c.onMalformed());
        assertEquals(0, c.minScore());
        assertEquals(5, c.maxScore());
        assertFalse(c.bothOrders());
        assertEquals(0.7, c.temperature());
        assertEquals(dir.resolve("c"), c.cache());
        assertEquals("MY_KEY", c.apiKeyEnv());
        assertEquals("http://127.0.0.1:9/v1/chat/completions", c.chatUrl().toString());
        assertNull(RewardSources.judgeConfig(RewardSpec.parse("judge:http://127.0.0.1:9/v1?model=m&cache=none"), o).cache());

        for (String[] bad : new String[][] {
                {"judge:http://127.0.0.1:9/v1", "needs model=NAME"},
                {"judge:http://127.0.0.1:9/v1?model=m&mode=listwise", "mode must be pointwise or pairwise"},
                {"judge:http://127.0.0.1:9/v1?model=m&timeout=soon", "timeout must be a number"},
                {"judge:http://127.0.0.1:9/v1?model=m&rubric=" + dir.resolve("missing.txt"), "rubric file"},
                {"judge:ftp://127.0.0.1:9/v1?model=m", "http(s)"},
                {"judge:http://127.0.0.1:9/v1?model=m&scale=10", "MIN-MAX"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RewardSources.judgeConfig(RewardSpec.parse(bad[0]), o));
            assertTrue(e.getMessage().startsWith("reward spec '" + bad[0] + "': ") && e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void openChecksWeightsAndTargets() {
        RewardSources.Options o = RewardSources.Options.defaults();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RewardSources.open(List.of("verifier:arithmetic", "verifier:format"), List.of(1.0), o));
        assertTrue(e.getMessage().contains("1 weights for 2 reward specs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RewardSources.open(List.of("2*verifier:arithmetic"), List.of(1.0), o));
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RewardSources.open("verifier:algebra", o));
        assertTrue(e.getMessage().startsWith("reward spec 'verifier:algebra': unknown task 'algebra'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RewardSources.open("model:/no/such/folder", o));
        assertTrue(e.getMessage().contains("no such model folder"), e.getMessage());
        try (RewardSource one = RewardSources.open(List.of("verifier:arithmetic"), null, o)) {
            assertTrue(one instanceof VerifierSource);
        }
        try (RewardSource sum = RewardSources.open(List.of("verifier:arithmetic", "verifier:arithmetic"), List.of(1.0, 2.0), o)) {
            assertEquals("1*verifier:arithmetic + 2*verifier:arithmetic#2", sum.name());
        }
    }
}
