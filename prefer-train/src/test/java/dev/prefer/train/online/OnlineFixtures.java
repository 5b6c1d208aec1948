package dev.prefer.train.online;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fixture paths and a small reward for the online trainer's tests; a missing fixture fails. */
final class OnlineFixtures {
    private OnlineFixtures() {}

    static Path shared() {
        String s = System.getProperty("prefer.shared");
        if (s == null) throw new IllegalStateException("system property prefer.shared is not set");
        return Path.of(s);
    }

    static Path llama(String which) {
        Path p = shared().resolve("fixtures/hf-tiny/llama").resolve(which);
        if (!Files.exists(p)) throw new IllegalStateException("missing fixture " + p);
        return p;
    }

    /** Short prompts of the hf-tiny tokenizer's alphabet. */
    static List<OnlinePrompt> prompts(int n) {
        List<OnlinePrompt> out = new ArrayList<>();
        String[] base = {"Q: 12+7=", "hello", "Say something kind:", "Translate to French: cat ->", "abc", "Q: 3+4="};
        for (int i = 0; i < n; i++) out.add(OnlinePrompt.of(base[i % base.length] + (i >= base.length ? " " + i : "")));
        return out;
    }

    /** A learnable reward: the share of the completion's characters that are the letter e (0 for an empty text). */
    static RewardFunction letterE() {
        return RewardFunction.of("letter_e", (prompt, completion) -> {
            if (completion.isEmpty()) return 0.0;
            long e = completion.chars().filter(ch -> ch == 'e').count();
            return (double) e / completion.length();
        });
    }
}
