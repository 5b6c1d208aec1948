package dev.prefer.lm.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a byte-level BPE tokenizer on a corpus (Sennrich et al. 2016, Algorithm 1, on GPT-2's byte-level
 * pre-tokens), because the tokenizers library that DJL wraps can load and run a tokenizer but not train one.
 *
 * <p>The vocabulary starts with the special tokens (ids 0..), then the 256 byte symbols in code-point order, so any
 * text can be encoded. Each step counts adjacent symbol pairs over all pre-tokens (weighted by how often the
 * pre-token occurs; merges never cross pre-token boundaries), merges the most frequent pair everywhere, and records
 * the merge. Ties go to the pair whose (left, right) strings sort first, so training is deterministic: the same
 * corpus gives the same file. It stops at {@code vocabSize} tokens or when no pair occurs {@code minFrequency} times.
 *
 * @param vocabSize     target vocabulary size including specials and the 256 bytes, >= 256 + specials
 * @param minFrequency  a pair must occur at least this often to be merged, >= 1 (default 2)
 * @param specialTokens special tokens, first = bos/eos/pad (default {@code <|endoftext|>})
 */
public record BpeTrainer(int vocabSize, int minFrequency, List<String> specialTokens) {

    public static final String END_OF_TEXT = "<|endoftext|>";

    public BpeTrainer {
        specialTokens = List.copyOf(specialTokens);
        if (specialTokens.isEmpty()) throw new IllegalArgumentException("need at least one special token (end of text)");
        if (vocabSize < 256 + specialTokens.size()) {
            throw new IllegalArgumentException("vocabSize must be >= 256 + " + specialTokens.size() + " specials: " + vocabSize);
        }
        if (minFrequency < 1) throw new IllegalArgumentException("minFrequency must be >= 1: " + minFrequency);
    }

    /** A trainer for the given size with minFrequency 2 and {@code <|endoftext|>} as the one special token. */
    public static BpeTrainer of(int vocabSize) {
        return new BpeTrainer(vocabSize, 2, List.of(END_OF_TEXT));
    }

    public BpeTokenizer train(Iterable<String> texts) {
        Map<String, Long> wordCounts = new LinkedHashMap<>();
        for (String t : texts) for (String w : ByteLevel.preTokenize(t)) wordCounts.merge(w, 1L, Long::sum);
        List<List<String>> words = new ArrayList<>();
        long[] counts = new long[wordCounts.size()];
        int wi = 0;
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            List<String> sym = new ArrayList<>();
            for (int i = 0; i < e.getKey().length(); i++) sym.add(String.valueOf(e.getKey().charAt(i)));
            words.add(sym);
            counts[wi++] = e.getValue();
        }

        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : specialTokens) vocab.put(s, vocab.size());
        for (String s : ByteLevel.alphabet()) {
            if (vocab.containsKey(s)) throw new IllegalArgumentException("special token collides with a byte symbol: " + s);
            vocab.put(s, vocab.size());
        }
        List<String[]> merges = new ArrayList<>();
        while (vocab.size() < vocabSize) {
            Map<String, long[]> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> sym = words.get(w);
                for (int i = 0; i + 1 < sym.size(); i++) {
                    pairs.computeIfAbsent(sym.get(i) + "\u0000" + sym.get(i + 1), k -> new long[1])[0] += counts[w];
                }
            }
            String best = null;
            long bestCount = 0;
            for (Map.Entry<String, long[]> e : pairs.entrySet()) {
                long c = e.getValue()[0];
                if (c > bestCount || (c == bestCount && best != null && comparePairs(e.getKey(), best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null || bestCount < minFrequency) break;
            String[] pair = best.split("\u0000", 2);
            merges.add(pair);
            String merged = pair[0] + pair[1];
            vocab.putIfAbsent(merged, vocab.size());
            for (List<String> sym : words) {
                for (int i = 0; i + 1 < sym.size(); i++) {
                    if (sym.get(i).equals(pair[0]) && sym.get(i + 1).equals(pair[1])) {
                        sym.set(i, merged);
                        sym.remove(i + 1);
                    }
                }
            }
        }
        return new BpeTokenizer(vocab, merges, specialTokens);
    }

    /** Orders pairs by left string, then right string. */
    private static int comparePairs(String a, String b) {
        String[] x = a.split("\u0000", 2), y = b.split("\u0000", 2);
        int c = x[0].compareTo(y[0]);
        return c != 0 ? c : x[1].compareTo(y[1]);
    }
}
