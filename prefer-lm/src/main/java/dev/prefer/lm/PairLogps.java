package dev.prefer.lm;

/** Log-probabilities of a preference pair's two responses under one model. */
public record PairLogps(SequenceLogps chosen, SequenceLogps rejected) {}
