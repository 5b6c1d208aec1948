package dev.prefer.serve;

import dev.prefer.data.votes.Outcome;

/** Holder for the small value types the store hands out. */
public final class Records {
    private Records() {}

    /** A user account (the password hash never leaves the store except for verification). */
    public record User(long id, String username, Role role, long createdAt) {}

    /** A campaign: its spec and where its prompts came from. */
    public record Campaign(long id, String name, CampaignSpec spec, String sourceSha256, long createdAt) {}

    /**
     * One prompt with its responses by system, in file order.
     *
     * @param gold the known answer for a gold item: the system that is better than every other, or null
     */
    public record Item(long id, int lineNo, String prompt, java.util.Map<String, String> responses,
                       java.util.Map<String, Object> metadata, String gold) {}

    /** A server-issued comparison: what one annotator is asked, with the probability its pair was drawn with. */
    public record Comparison(String id, long campaignId, long userId, long itemId, String leftSystem,
                             String rightSystem, double probability, String policy, long issuedAt) {}

    /**
     * A stored vote.
     *
     * @param probability the sampling probability of its (unordered) system pair when it was issued
     * @param attributes  attribute name to (system to rating), or empty
     */
    public record Vote(long id, String comparisonId, long campaignId, long userId, String username, long itemId,
                       String leftSystem, String rightSystem, Outcome outcome,
                       java.util.Map<String, java.util.Map<String, Integer>> attributes, String rationale,
                       double probability, long responseMs, long createdAt) {

        /** The system that won, or null for tie / both bad. */
        public String winner() {
            return switch (outcome) {
                case A_WINS -> leftSystem;
                case B_WINS -> rightSystem;
                default -> null;
            };
        }

        public String loser() {
            return switch (outcome) {
                case A_WINS -> rightSystem;
                case B_WINS -> leftSystem;
                default -> null;
            };
        }
    }

    /** An exclusion: a vote, or all of a user's votes in a campaign, left out of results and exports. */
    public record Exclusion(long id, long campaignId, Long voteId, Long userId, String reason, long createdBy, long createdAt) {}

    /** One audit-log line. */
    public record AuditEntry(long id, long at, Long userId, String action, String detailJson) {}
}
