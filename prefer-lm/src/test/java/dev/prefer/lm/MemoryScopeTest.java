package dev.prefer.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native memory is scoped: many log-prob, generation and training steps leave no array behind in the model. */
class MemoryScopeTest {

    @Test
    void heldArraysDoNotGrowOverManySteps() {
        try (CausalLM policy = CausalLM.load(Fixtures.model("llama", "policy"));
             CausalLM reference = CausalLM.load(Fixtures.model("llama", "reference"))) {
            List<TokenizedSequence> seqs = Dpo.chosenThenRejected(policy);
            policy.setTrainable(true);
            int before = policy.model().manager().getManagedArrays().size();
            int refBefore = reference.model().manager().getManagedArrays().size();
            for (int i = 0; i < 8; i++) {
                double[] ref = Dpo.sums(reference.logpsOfIds(seqs, 8));
                policy.model().zeroGradients();
                try (NDManager step = policy.model().manager().newSubManager();
                     GradientCollector gc = Torch.init().newGradientCollector()) {
                    NDArray loss = Dpo.loss(step, policy, seqs, ref, 0.1);
                    Transformer.backward(gc, loss); // through the chunked LM head (and any checkpointed blocks)
                    for (NDArray g : policy.model().gradients(step).values()) g.norm().toFloatArray();
                }
                policy.generate(List.of("the cat", "hello"), GenerationConfig.greedy(4));
                assertEquals(before, policy.model().manager().getManagedArrays().size(), "policy arrays after step " + i);
                assertEquals(refBefore, reference.model().manager().getManagedArrays().size(), "reference arrays after step " + i);
            }
        }
    }
}
