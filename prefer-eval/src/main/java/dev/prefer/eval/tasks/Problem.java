package dev.prefer.eval.tasks;

/**
 * One instance of a verifiable task: the prompt a model sees and one correct completion (the SFT target).
 * Each task has its own record type holding what its verifier needs (the operands, the constraints, ...).
 */
public interface Problem {
    /** The text given to the model, exactly as it is tokenized. */
    String prompt();

    /** One correct completion: the supervised fine-tuning target. The verifier gives it a perfect score. */
    String reference();
}
