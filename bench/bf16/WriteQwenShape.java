import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Precision;
import dev.prefer.lm.io.DType;
import dev.prefer.train.MemoryBench;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a Qwen2.5-0.5B-shaped checkpoint with random weights stored as BF16 (about 1 GB), with the tiny fixture's
 * tokenizer files (the fixture ids are valid in its vocabulary), for measuring a real bf16 training run's peak:
 *   java -cp "prefer-cli/target/prefer-cli.jar:prefer-cli/target/lib/*" bench/bf16/WriteQwenShape.java /tmp/bf16q/model
 *   /usr/bin/time -f "max RSS %M KiB" ./prefer train dpo --model /tmp/bf16q/model --data ../shared/fixtures/hf-tiny/pairs.jsonl \
 *       --out /tmp/bf16q/run --lora --precision bf16 --max-steps 2 --batch-size 1
 */
public class WriteQwenShape {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        try (CausalLM lm = CausalLM.randomInit(MemoryBench.shape("qwen2.5-0.5b"), 7, Precision.BF16)) {
            lm.save(dir, DType.BF16);
        }
        Path tok = Path.of(a.length > 1 ? a[1] : "../shared/fixtures/hf-tiny/qwen2/policy");
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) Files.copy(tok.resolve(f), dir.resolve(f));
        System.out.println("wrote " + dir);
    }
}
