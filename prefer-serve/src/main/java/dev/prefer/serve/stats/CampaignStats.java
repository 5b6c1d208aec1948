package dev.prefer.serve.stats;

import dev.prefer.serve.CampaignSpec;
import dev.prefer.data.votes.Outcome;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.Records.Vote;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Live results of a campaign other than the ratings: the win-rate matrix, position bias, and per-annotator
 * counts, speed, gold accuracy and agreement (with the consensus and with each other).
 *
 * <p>A "unit" for agreement is one prompt with one unordered pair of systems; its label is the outcome in a
 * canonical orientation ({@code first}/{@code second} = the alphabetically first/second system is better,
 * {@code tie}, {@code both_bad}), so that the same judgement shown left/right swapped gets the same label.
 * An annotator who judged a unit twice counts with their first judgement.
 */
public record CampaignStats(List<String> systems, double[][] winRate, long[][] pairVotes, long votes,
                            long decisive, long leftWins, double leftWinShare, double leftWinLow, double leftWinHigh,
                            List<AnnotatorStats> annotators, double krippendorffAlpha, int unitsWithOverlap,
                            List<PairAgreement> pairAgreements) {

    /** Per annotator. Rates are NaN when there was nothing to measure. */
    public record AnnotatorStats(long userId, String username, long votes, double medianResponseMs,
                                 double votesPerMinute, long goldScored, double goldAccuracy, double fastShare,
                                 long consensusUnits, double consensusAgreement, boolean flagged) {}

    /** Cohen's kappa between two annotators over the units both judged. */
    public record PairAgreement(String a, String b, int sharedUnits, double kappa) {}

    /** Flag thresholds: at least this many gold votes with accuracy below the bar, or too many fast votes. */
    public static final int GOLD_MIN = 3;
    public static final double GOLD_BAR = 0.7;
    public static final double FAST_BAR = 0.25;

    public static CampaignStats of(CampaignSpec spec, List<Item> items, List<Vote> votes) {
        TreeSet<String> sys = new TreeSet<>();
        for (Item it : items) sys.addAll(it.responses().keySet());
        List<String> systems = List.copyOf(sys);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < systems.size(); i++) index.put(systems.get(i), i);
        int k = systems.size();
        double[][] score = new double[k][k];
        long[][] n = new long[k][k];
        long decisive = 0, leftWins = 0;
        Map<Long, Item> itemById = new HashMap<>();
        for (Item it : items) itemById.put(it.id(), it);

        Map<Long, List<Vote>> byUser = new TreeMap<>();
        Map<String, Map<Long, String>> labels = new TreeMap<>(); // unit -> user -> label (first judgement)
        for (Vote v : votes) {
            Integer a = index.get(v.leftSystem()), b = index.get(v.rightSystem());
            if (a == null || b == null) continue;
            n[a][b]++;
            n[b][a]++;
            double sa = switch (v.outcome()) {
                case A_WINS -> 1;
                case B_WINS -> 0;
                default -> 0.5;
            };
            score[a][b] += sa;
            score[b][a] += 1 - sa;
            if (v.outcome() == Outcome.A_WINS || v.outcome() == Outcome.B_WINS) {
                decisive++;
                if (v.outcome() == Outcome.A_WINS) leftWins++;
            }
            byUser.computeIfAbsent(v.userId(), x -> new ArrayList<>()).add(v);
            labels.computeIfAbsent(unit(v), x -> new LinkedHashMap<>()).putIfAbsent(v.userId(), label(v));
        }
        double[][] rate = new double[k][k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) rate[i][j] = n[i][j] == 0 ? Double.NaN : score[i][j] / n[i][j];

        double share = decisive == 0 ? Double.NaN : (double) leftWins / decisive;
        double[] ci = wilson(leftWins, decisive);

        // Agreement across annotators.
        List<List<String>> unitLabels = new ArrayList<>();
        int overlap = 0;
        for (var u : labels.values()) {
            unitLabels.add(new ArrayList<>(u.values()));
            if (u.size() >= 2) overlap++;
        }
        double alpha = Agreement.krippendorffAlphaNominal(unitLabels);

        Map<Long, Map<String, String>> perUser = new TreeMap<>();
        for (var e : labels.entrySet()) {
            for (var ul : e.getValue().entrySet()) perUser.computeIfAbsent(ul.getKey(), x -> new HashMap<>()).put(e.getKey(), ul.getValue());
        }
        Map<Long, String> names = new HashMap<>();
        for (Vote v : votes) names.putIfAbsent(v.userId(), v.username());
        List<PairAgreement> pairs = new ArrayList<>();
        List<Long> users = new ArrayList<>(perUser.keySet());
        for (int x = 0; x < users.size(); x++) {
            for (int y = x + 1; y < users.size(); y++) {
                var m1 = perUser.get(users.get(x));
                var m2 = perUser.get(users.get(y));
                int sh = Agreement.shared(m1, m2);
                if (sh > 0) pairs.add(new PairAgreement(names.get(users.get(x)), names.get(users.get(y)), sh, Agreement.cohensKappa(m1, m2)));
            }
        }

        List<AnnotatorStats> ann = new ArrayList<>();
        for (var e : byUser.entrySet()) {
            List<Vote> vs = e.getValue();
            long[] ms = vs.stream().mapToLong(Vote::responseMs).sorted().toArray();
            double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2.0;
            long first = vs.get(0).createdAt(), last = vs.get(vs.size() - 1).createdAt();
            double minutes = (last - first) / 60000.0;
            double perMinute = vs.size() < 2 || minutes <= 0 ? Double.NaN : (vs.size() - 1) / minutes;
            long goldScored = 0, goldRight = 0, fast = 0;
            for (Vote v : vs) {
                if (v.responseMs() < spec.minResponseMs()) fast++;
                Item it = itemById.get(v.itemId());
                if (it == null || it.gold() == null) continue;
                if (!it.gold().equals(v.leftSystem()) && !it.gold().equals(v.rightSystem())) continue;
                goldScored++;
                if (it.gold().equals(v.winner())) goldRight++;
            }
            double goldAcc = goldScored == 0 ? Double.NaN : (double) goldRight / goldScored;
            double fastShare = (double) fast / vs.size();
            // Consensus: the strict plurality label of the other annotators on each unit.
            long cu = 0, ca = 0;
            for (var u : perUser.get(e.getKey()).entrySet()) {
                Map<String, Integer> others = new HashMap<>();
                for (var ul : labels.get(u.getKey()).entrySet()) if (ul.getKey() != e.getKey().longValue()) others.merge(ul.getValue(), 1, Integer::sum);
                String top = plurality(others);
                if (top == null) continue;
                cu++;
                if (top.equals(u.getValue())) ca++;
            }
            boolean flagged = (goldScored >= GOLD_MIN && goldAcc < GOLD_BAR) || fastShare > FAST_BAR;
            ann.add(new AnnotatorStats(e.getKey(), names.get(e.getKey()), vs.size(), median, perMinute, goldScored, goldAcc,
                    fastShare, cu, cu == 0 ? Double.NaN : (double) ca / cu, flagged));
        }
        return new CampaignStats(systems, rate, n, votes.size(), decisive, leftWins, share, ci[0], ci[1], ann, alpha, overlap, pairs);
    }

    static String unit(Vote v) {
        String a = v.leftSystem(), b = v.rightSystem();
        return v.itemId() + "|" + (a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a);
    }

    static String label(Vote v) {
        String w = v.winner();
        if (w == null) return v.outcome().wireName();
        String firstSystem = v.leftSystem().compareTo(v.rightSystem()) < 0 ? v.leftSystem() : v.rightSystem();
        return w.equals(firstSystem) ? "first" : "second";
    }

    private static String plurality(Map<String, Integer> counts) {
        String top = null;
        int best = 0;
        boolean tie = false;
        for (var e : counts.entrySet()) {
            if (e.getValue() > best) {
                best = e.getValue();
                top = e.getKey();
                tie = false;
            } else if (e.getValue() == best) {
                tie = true;
            }
        }
        return tie ? null : top;
    }

    /** Wilson score 95% interval for a binomial share. */
    static double[] wilson(long k, long n) {
        if (n == 0) return new double[] {Double.NaN, Double.NaN};
        double z = 1.959963984540054;
        double p = (double) k / n;
        double den = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / den;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / den;
        return new double[] {centre - half, centre + half};
    }

    @Override
    public String toString() {
        return "CampaignStats" + systems + " votes=" + votes + " winRate=" + Arrays.deepToString(winRate);
    }
}
