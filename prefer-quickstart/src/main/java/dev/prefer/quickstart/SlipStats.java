package dev.prefer.quickstart;

import dev.prefer.eval.tasks.VerifiableTask;

/**
 * Greedy decoding split by whether the task's systematic mistake ({@link VerifiableTask#slip}) applies to the prompt:
 * how often the model answers right there and elsewhere, and how often its greedy answer IS that mistake (what a
 * model that imitated a slipping demonstrator does). Null when the mistake applies to no held-out prompt.
 *
 * @param slippable        held-out prompts where the mistake applies (arithmetic: a ones carry)
 * @param accuracySlippable greedy accuracy on them
 * @param slipShare        share of them whose greedy answer (first line, stripped) is the mistake
 * @param others           the other held-out prompts
 * @param accuracyOthers   greedy accuracy on those (null when there are none)
 */
public record SlipStats(int slippable, double accuracySlippable, double slipShare, int others, Double accuracyOthers) {}
