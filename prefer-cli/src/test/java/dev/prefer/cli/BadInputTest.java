package dev.prefer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefer.data.Json;
import dev.prefer.lm.io.HostTensor;
import dev.prefer.lm.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input tier (issue #16 item 9): a corpus of malformed inputs of every kind the CLI reads — preference and
 * vote files, model folders, safetensors, chat templates, checkpoints, option values — each run through the CLI in
 * process and required to end with exit code 2 and exactly one line on standard error that names the place (file,
 * line, field or tensor) and the reason: no stack trace, no hang, no exit 0 on input that cannot honestly be used.
 * Every defect fixed under issue #16 has its case here. Run this tier alone with {@code -Dgroups=bad-input}.
 */
@Tag("bad-input")
class BadInputTest {

    @TempDir
    static Path tmp;

    static final Path FIX = LmCommandsTest.fixtures();
    static final String GOOD = "{\"prompt\":\"Q: 1+1=\",\"chosen\":\" 2\",\"rejected\":\" 3\"}\n";

    /** One case: files it writes, the command line, and the expected stderr line (a regex after "prefer: "). */
    record Case(String name, Function<Path, List<String>> setup, String expected) {}

    static Case c(String name, Function<Path, List<String>> setup, String expectedRegex) {
        return new Case(name, setup, expectedRegex);
    }

    static String q(Path p) {
        return Pattern.quote(p.toString());
    }

    // ------------------------------------------------------------------ corpus builders

    static Path write(Path dir, String name, String text) {
        return write(dir, name, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            Path p = dir.resolve(name);
            Files.write(p, bytes);
            return p;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] b) {
        try {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(o)) {
                z.write(b);
            }
            return o.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} good rows, then one with a Latin-1 byte (15th byte of its line), then more good rows. */
    static byte[] latin1AfterRows(int n) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) b.writeBytes(GOOD.getBytes(StandardCharsets.UTF_8));
        b.writeBytes("{\"prompt\":\"caf".getBytes(StandardCharsets.UTF_8));
        b.write(0xE9);
        b.writeBytes("\",\"chosen\":\"a\",\"rejected\":\"b\"}\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < n; i++) b.writeBytes(GOOD.getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    /** A copy of an hf-tiny checkpoint whose tensors pass through {@code edit}; raw I32 for {@code intTensor}. */
    static Path model(Path dir, String arch, String intTensor, java.util.function.Consumer<LinkedHashMap<String, HostTensor>> edit,
                      java.util.function.Consumer<ObjectNode> config) {
        try {
            Path src = FIX.resolve(arch).resolve("policy");
            Files.createDirectories(dir);
            for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(src.resolve(f), dir.resolve(f));
            ObjectNode cfg = (ObjectNode) Json.MAPPER.readTree(src.resolve("config.json").toFile());
            if (config != null) config.accept(cfg);
            Files.writeString(dir.resolve("config.json"), cfg.toString());
            LinkedHashMap<String, HostTensor> t = SafeTensors.read(src.resolve("model.safetensors"));
            if (edit != null) edit.accept(t);
            writeRaw(dir.resolve("model.safetensors"), t, intTensor);
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** safetensors written by hand (not by the code under test): header length, JSON header, little-endian data. */
    static void writeRaw(Path file, Map<String, HostTensor> tensors, String intTensor) throws Exception {
        StringBuilder h = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            float[] v = e.getValue().data();
            boolean asInt = e.getKey().equals(intTensor);
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                if (asInt) b.putInt(Math.round(x * 1000));
                else b.putFloat(x);
            }
            long begin = data.size();
            data.writeBytes(b.array());
            if (h.length() > 1) h.append(',');
            h.append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(asInt ? "I32" : "F32").append("\",\"shape\":")
                    .append(Arrays.toString(e.getValue().shape()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(begin).append(',').append(data.size()).append("]}");
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        all.writeBytes(header);
        all.writeBytes(data.toByteArray());
        Files.write(file, all.toByteArray());
    }

    /** A model folder holding only a tokenizer_config.json with this chat template. */
    static Path templateFolder(Path dir, String template) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("chat_template", template);
        c.put("eos_token", "</s>");
        write(dir, "tokenizer_config.json", c.toString());
        return dir;
    }

    static final String CHATS = "{\"prompt\":[{\"role\":\"user\",\"content\":\"hi\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"a\"}],"
            + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}\n";

    static String logpsRow(double c, double r) {
        return "{\"chosen_logps\":" + c + ",\"rejected_logps\":" + r + ",\"chosen_tokens\":3,\"rejected_tokens\":4}\n";
    }

    // ------------------------------------------------------------------ the corpus

    static List<Case> corpus() {
        String pol = FIX.resolve("gpt2/policy").toString();
        String pairs = FIX.resolve("pairs.jsonl").toString();
        List<Case> cs = new ArrayList<>();
        // preference files
        cs.add(c("missing preference file", d -> List.of("data", "inspect", d.resolve("nope.jsonl").toString()),
                "{d}/nope.jsonl: no such file"));
        cs.add(c("all-empty pair (inspect)", d -> List.of("data", "inspect",
                write(d, "e.jsonl", GOOD + "{\"prompt\":\"\",\"chosen\":\"\",\"rejected\":\"\"}\n").toString()),
                "{d}/e.jsonl:2: field 'prompt': prompt, chosen and rejected are all empty: the pair states nothing"));
        cs.add(c("all-empty pair (train)", d -> List.of("train", "dpo", "--model", pol, "--data",
                write(d, "e.jsonl", GOOD + "{\"prompt\":\" \",\"chosen\":\"\",\"rejected\":\"\"}\n").toString(), "--out", d.resolve("run").toString()),
                "{d}/e.jsonl:2: field 'prompt': prompt, chosen and rejected are all empty: the pair states nothing"));
        cs.add(c("invalid UTF-8 on line 301", d -> List.of("data", "inspect", write(d, "l.jsonl", latin1AfterRows(300)).toString()),
                "{d}/l.jsonl:301: not valid UTF-8 \\(byte 15 of the line\\)"));
        cs.add(c("invalid UTF-8 on line 301, gzip", d -> List.of("data", "inspect", write(d, "l.jsonl.gz", gzip(latin1AfterRows(300))).toString()),
                "{d}/l.jsonl.gz:301: not valid UTF-8 \\(byte 15 of the line\\)"));
        cs.add(c("truncated gzip", d -> {
            byte[] z = gzip(latin1AfterRows(2000));
            return List.of("data", "inspect", write(d, "t.jsonl.gz", Arrays.copyOf(z, z.length / 2)).toString());
        }, "{d}/t.jsonl.gz:[1-9][0-9]*: gzip data ends early \\(truncated file\\)"));
        cs.add(c("not gzip after a gzip magic", d -> {
            byte[] z = gzip(latin1AfterRows(20));
            for (int i = 12; i < z.length; i++) z[i] = (byte) (i * 31);
            return List.of("data", "inspect", write(d, "g.jsonl.gz", z).toString());
        }, "{d}/g.jsonl.gz(:1)?: corrupt gzip (data|header).*"));
        cs.add(c("ranked list with a non-number score", d -> List.of("data", "inspect",
                write(d, "r.jsonl", "{\"prompt\":\"p\",\"responses\":[\"a\",\"b\"],\"scores\":[1,\"x\"]}\n").toString()),
                "{d}/r.jsonl:1: field 'scores\\[1\\]': expected a finite number"));
        cs.add(c("JSON syntax error", d -> List.of("data", "inspect",
                write(d, "j.jsonl", GOOD + "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",}\n").toString()),
                "{d}/j.jsonl:2: not valid JSON: .*"));
        // vote files
        cs.add(c("vote CSV with invalid UTF-8 on line 502", d -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes("model_a,model_b,winner\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 500; i++) b.writeBytes("x,y,model_a\n".getBytes(StandardCharsets.UTF_8));
            b.writeBytes(new byte[] {'x', (byte) 0xFF, ',', 'y', ',', 'm', 'o', 'd', 'e', 'l', '_', 'a', '\n'});
            return List.of("rate", write(d, "v.csv", b.toByteArray()).toString());
        }, "{d}/v.csv:502: not valid UTF-8 \\(byte 2 of the line\\)"));
        cs.add(c("vote JSONL without model_b", d -> List.of("rate", write(d, "v.jsonl",
                "{\"model_a\":\"x\",\"model_b\":\"y\",\"winner\":\"model_a\"}\n{\"model_a\":\"x\",\"winner\":\"model_a\"}\n").toString()),
                "{d}/v.jsonl:2: field 'model_b': missing"));
        cs.add(c("PrefLib order naming an unknown alternative", d -> List.of("rate", write(d, "p.soc",
                "# NUMBER ALTERNATIVES: 3\n1: 1,2,3\n2: 1,2,9\n").toString(), "--model", "pl"),
                "{d}/p.soc:3: field 'order': alternative 9 is outside 1..3"));
        cs.add(c("campaign prompts with one system", d -> List.of("serve", "import", "--db", d.resolve("t.db").toString(), "--name", "x", "--file",
                write(d, "prompts.jsonl", "{\"prompt\":\"p\",\"responses\":{\"a\":\"x\",\"b\":\"y\"}}\n{\"prompt\":\"p\",\"responses\":{\"a\":\"x\"}}\n").toString()),
                "{d}/prompts.jsonl:2: field 'responses': needs at least 2 systems, got 1"));
        // chat templates
        cs.add(c("self-recursive macro", d -> List.of("data", "inspect", write(d, "c.jsonl", CHATS).toString(), "--chat-template",
                templateFolder(d.resolve("m"), "{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(1) }}{% for m in messages %}{{ m.content }}{% endfor %}").toString()),
                "{d}/c.jsonl:1: field 'prompt': chat template: chat template macro recursion over its budget of 64 calls.*"));
        cs.add(c("template output explosion", d -> List.of("data", "inspect", write(d, "c.jsonl", CHATS).toString(), "--chat-template",
                templateFolder(d.resolve("m"), "{% for i in range(1000) %}{% for j in range(1000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}").toString()),
                "{d}/c.jsonl:1: field 'prompt': chat template: chat template output over its budget of 16777216 characters"));
        // model folders and safetensors
        cs.add(c("config.json cut short", d -> {
            Path m = model(d.resolve("m"), "gpt2", null, null, null);
            write(m, "config.json", "{\n  \"model_type\": \"gpt2\",\n  \"n_layer\": \n");
            return List.of("logps", "--model", m.toString(), "--data", pairs);
        }, "{d}/m/config.json:4: not valid JSON: .*"));
        cs.add(c("config.json in Latin-1", d -> {
            Path m = model(d.resolve("m"), "gpt2", null, null, null);
            write(m, "config.json", new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xE9, '"', '}'});
            return List.of("logps", "--model", m.toString(), "--data", pairs);
        }, "{d}/m/config.json: not valid UTF-8"));
        cs.add(c("safetensors cut short", d -> {
            Path m = model(d.resolve("m"), "gpt2", null, null, null);
            try {
                byte[] all = Files.readAllBytes(m.resolve("model.safetensors"));
                write(m, "model.safetensors", Arrays.copyOf(all, 1000));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return List.of("logps", "--model", m.toString(), "--data", pairs);
        }, "{d}/m/model.safetensors: header length [0-9]+ runs past the end of the file \\(1000 bytes\\)"));
        cs.add(c("no tokenizer.json", d -> {
            Path m = model(d.resolve("m"), "gpt2", null, null, null);
            try {
                Files.delete(m.resolve("tokenizer.json"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return List.of("logps", "--model", m.toString(), "--data", pairs);
        }, "{d}/m/tokenizer.json: no such file \\(the checkpoint needs a fast tokenizer\\)"));
        cs.add(c("integer weights", d -> List.of("logps", "--model", model(d.resolve("m"), "gpt2", "transformer.h.0.mlp.c_fc.weight", null, null).toString(),
                "--data", pairs), "{d}/m/model.safetensors: field 'transformer.h.0.mlp.c_fc.weight': stored as I32: model weights must be floating point.*"));
        cs.add(c("NaN weights", d -> List.of("logps", "--model", model(d.resolve("m"), "llama", null, t -> {
            HostTensor w = t.get("model.norm.weight");
            float[] x = w.data().clone();
            x[3] = Float.NaN;
            t.put(w.name(), new HostTensor(w.name(), w.storedAs(), w.shape(), x));
        }, null).toString(), "--data", pairs),
                "{d}/m/model.safetensors: field 'model.norm.weight': 1 of 64 values are not finite \\(first: NaN at flat index 3\\); the checkpoint is damaged"));
        cs.add(c("vocabulary smaller than the tokenizer's ids", d -> List.of("logps", "--model", model(d.resolve("m"), "gpt2", null, t -> {
            HostTensor w = t.get("transformer.wte.weight");
            t.put(w.name(), new HostTensor(w.name(), w.storedAs(), new long[] {300, w.shape()[1]}, Arrays.copyOf(w.data(), (int) (300 * w.shape()[1]))));
        }, cfg -> cfg.put("vocab_size", 300)).toString(), "--data", pairs),
                "{d}/m: tokenizer.json gives token id [0-9]+ but config.json has vocab_size 300: the tokenizer does not belong to these weights"));
        cs.add(c("row longer than the model's positions", d -> List.of("logps", "--model", pol, "--data",
                write(d, "long.jsonl", GOOD + "{\"prompt\":\"p\",\"chosen\":\"" + "ab ".repeat(300) + "\",\"rejected\":\"x\"}\n").toString()),
                "{d}/long.jsonl:2: field 'chosen': prompt \\+ chosen is [0-9]+ tokens, over the 128 positions of " + q(Path.of(pol)) + ".*"));
        cs.add(c("adapter whose base cannot be found", d -> {
            write(d.resolve("lora"), "adapter_config.json", "{\"peft_type\":\"LORA\",\"base_model_name_or_path\":\"no/such/base\",\"r\":4}");
            return List.of("logps", "--model", d.resolve("lora").toString(), "--data", pairs);
        }, "{d}/lora/adapter_config.json: field 'base_model_name_or_path': base model folder not found \\(tried .*\\); a Hub id is not downloaded here"));
        // evaluation inputs
        cs.add(c("ranking-accuracy row counts differ", d -> List.of("ranking-accuracy", "--logps",
                write(d, "p.jsonl", logpsRow(-1, -2) + logpsRow(-3, -2)).toString(), "--ref-logps", write(d, "r.jsonl", logpsRow(-1, -2)).toString()),
                "{d}/r.jsonl: has 1 rows where {d}/p.jsonl has 2: policy and reference log-probs must cover the same pairs in the same order"));
        // checkpoints
        cs.add(c("corrupt step-N/state.json", d -> {
            write(d.resolve("run/checkpoints/step-2"), "state.json", "{\n  \"step\": 2,\n  \"optimizer_step\": \n");
            write(d.resolve("run/checkpoints"), "latest", "step-2\n");
            return List.of("train", "dpo", "--model", pol, "--data", pairs, "--out", d.resolve("run").toString(), "--resume", "--max-steps", "1");
        }, "{d}/run/checkpoints/step-2/state.json:[0-9]+: corrupt checkpoint state: not valid JSON.*"));
        // option values
        cs.add(c("batch size 0", d -> List.of("logps", "--model", pol, "--data", pairs, "--batch-size", "0"),
                "--batch-size must be >= 1, got 0"));
        cs.add(c("batch size not a number", d -> List.of("logps", "--model", pol, "--data", pairs, "--batch-size", "abc"),
                "Invalid value for option '--batch-size': 'abc' is not an int \\(see 'prefer logps --help'\\)"));
        cs.add(c("missing required option", d -> List.of("logps", "--model", pol),
                "Missing required option: '--data=FILE.jsonl' \\(see 'prefer logps --help'\\)"));
        return cs;
    }

    static String runErr(int[] code, String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code[0] = Prefer.run(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        return err.toString(StandardCharsets.UTF_8).replace("\r", "");
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputEndsWithOneLocatedLine() {
        return corpus().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> {
            Path d = Files.createDirectories(tmp.resolve(k.name().replaceAll("[^A-Za-z0-9]+", "-")));
            List<String> args = k.setup().apply(d);
            int[] code = {-1};
            long t0 = System.nanoTime();
            String err = runErr(code, args.toArray(String[]::new));
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(2, code[0], k.name() + ": exit code; stderr: " + err);
            List<String> lines = err.lines().filter(l -> !l.startsWith("prefer: warning: ")).toList();
            assertEquals(1, lines.size(), k.name() + ": one line expected, got: " + err);
            String line = lines.get(0);
            assertFalse(line.contains("Exception") || line.contains("\tat "), k.name() + ": " + line);
            String want = "prefer: " + k.expected().replace("{d}", Pattern.quote(d.toString()));
            assertTrue(Pattern.matches(want, line), k.name() + ": got\n  " + line + "\nwanted\n  " + want + "\n(" + secs + " s)");
        }));
    }
}
