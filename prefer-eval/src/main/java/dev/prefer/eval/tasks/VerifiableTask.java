package dev.prefer.eval.tasks;

import java.util.SplittableRandom;

/**
 * A task whose truth is computable, so evaluation needs no judge: it draws problems, and its verifier scores ANY
 * response string to a problem. A problem can be recovered from its prompt text alone ({@link #parse}), so a
 * prompts file written earlier, or a user's own prompts in the same format, can be verified too.
 *
 * @param <P> the task's problem type
 */
public interface VerifiableTask<P extends Problem> {
    /** Short stable name, e.g. "arithmetic". */
    String name();

    /** Draws one problem; deterministic given the generator's state. */
    P draw(SplittableRandom rng);

    /** Recovers the problem from its prompt; throws IllegalArgumentException when the prompt is not of this task. */
    P parse(String prompt);

    /** Scores a response (the model's completion after the prompt, without the prompt). */
    Verdict verify(P problem, String response);

    /** Scores a response to a prompt given as text. */
    default Verdict verify(String prompt, String response) {
        return verify(parse(prompt), response);
    }

    /**
     * Responses that a verifier scores below the reference, for hard-negative pairs and verifier tests. The
     * default has none; tasks override.
     */
    default java.util.List<Negative> negatives(P problem, SplittableRandom rng, int count) {
        return java.util.List.of();
    }

    /**
     * The answer a weak demonstrator gives when it makes this task's systematic mistake on this problem (always the
     * same wrong answer for the same problem, like a procedural bug in a child's arithmetic), or null when the mistake
     * does not apply to it. Used by {@link Demonstrator} to write imperfect SFT data; it must fail the verifier.
     * The default has no such mistake.
     */
    default String slip(P problem) {
        return null;
    }

    /** A wrong response and how it was made (e.g. "near-miss", "wrong", "violates:words"). */
    record Negative(String response, String kind) {}
}
