package dev.prefer.ratings;

import dev.prefer.core.Scalars;
import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks on how well one set of strengths explains the votes: intransitive cycles in the observed majority
 * graph, each annotator's agreement with the consensus fit, and the predicted win-probability matrix.
 */
public final class Diagnostics {
    private Diagnostics() {}

    /**
     * Directed 3-cycles of the majority graph (i → j when i's observed win rate against j, ties half, is above
     * 1/2): i beats j, j beats k, k beats i. Bradley-Terry cannot represent them; many cycles among well-measured
     * pairs mean preferences are not one-dimensional.
     *
     * @param count  number of 3-cycles (each counted once)
     * @param sample up to {@code limit} cycles as item names
     */
    public record Cycles(long count, List<List<String>> sample) {}

    public static Cycles cycles(Comparisons c, int limit) {
        double[][] p = WinRates.matrix(c);
        int n = p.length;
        long count = 0;
        List<List<String>> sample = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                for (int k = j + 1; k < n; k++) {
                    boolean ij = p[i][j] > 0.5, jk = p[j][k] > 0.5, ki = p[k][i] > 0.5;
                    boolean ji = p[j][i] > 0.5, kj = p[k][j] > 0.5, ik = p[i][k] > 0.5;
                    List<String> cyc = null;
                    if (ij && jk && ki) cyc = List.of(c.items().get(i), c.items().get(j), c.items().get(k));
                    else if (ik && kj && ji) cyc = List.of(c.items().get(i), c.items().get(k), c.items().get(j));
                    if (cyc != null) {
                        count++;
                        if (sample.size() < limit) sample.add(cyc);
                    }
                }
            }
        }
        return new Cycles(count, sample);
    }

    /**
     * One annotator against the consensus.
     *
     * @param annotator      name ("" for votes without one)
     * @param votes          votes cast
     * @param decisive       non-tie votes
     * @param agreement      share of decisive votes that went the way the consensus predicts (P &gt; 1/2), NaN
     *                       when none
     * @param meanLogLik     mean log-likelihood per vote under the consensus (ties as half-wins)
     */
    public record Agreement(String annotator, long votes, long decisive, double agreement, double meanLogLik) {}

    /** Agreement of each annotator with a fit, in order of first appearance. */
    public static List<Agreement> annotatorAgreement(List<Vote> votes, Fit fit) {
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (Vote v : votes) {
            String who = v.annotator() == null ? "" : v.annotator();
            double d = fit.theta(v.a()) - fit.theta(v.b());
            double[] s = acc.computeIfAbsent(who, k -> new double[4]);
            s[0]++;
            if (v.outcome() == Outcome.A_WINS || v.outcome() == Outcome.B_WINS) {
                s[1]++;
                boolean aWon = v.outcome() == Outcome.A_WINS;
                if ((d > 0 && aWon) || (d < 0 && !aWon)) s[2]++;
                else if (d == 0) s[2] += 0.5;
            }
            double y = v.outcome() == Outcome.A_WINS ? 1 : v.outcome() == Outcome.B_WINS ? 0 : 0.5;
            s[3] += y * Scalars.logSigmoid(d) + (1 - y) * Scalars.logSigmoid(-d);
        }
        List<Agreement> out = new ArrayList<>();
        for (var e : acc.entrySet()) {
            double[] s = e.getValue();
            out.add(new Agreement(e.getKey(), (long) s[0], (long) s[1], s[1] == 0 ? Double.NaN : s[2] / s[1], s[3] / s[0]));
        }
        return out;
    }
}
