package dev.prefer.serve;

import dev.prefer.serve.Records.Vote;

import java.util.List;

/** Computes the leaderboard from a campaign's votes with the ratings engine (prefer-ratings). */
public class Leaderboards {
    public LeaderboardView compute(List<String> systems, List<Vote> votes) {
        throw new UnsupportedOperationException("ratings engine not merged yet");
    }
}
