package dev.prefer.ratings;

import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** TrueSkill over a stream of 1-vs-1 votes, in the given order ({@link TrueSkill#rate1v1} per vote). */
public final class TrueSkillLadder {
    private TrueSkillLadder() {}

    /** Items in order of first appearance with their final μ and σ. */
    public record Result(List<String> items, double[] mu, double[] sigma) {}

    public static Result run(List<Vote> votes, TrueSkill.Options o) {
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<TrueSkill.Rating> r = new ArrayList<>();
        for (Vote v : votes) {
            for (String s : new String[] {v.a(), v.b()}) {
                if (!idx.containsKey(s)) { idx.put(s, names.size()); names.add(s); r.add(o.initial()); }
            }
            int a = idx.get(v.a()), b = idx.get(v.b());
            if (v.outcome() == Outcome.B_WINS) {
                TrueSkill.Rating[] x = TrueSkill.rate1v1(r.get(b), r.get(a), false, o);
                r.set(b, x[0]);
                r.set(a, x[1]);
            } else {
                TrueSkill.Rating[] x = TrueSkill.rate1v1(r.get(a), r.get(b), v.outcome().isTie(), o);
                r.set(a, x[0]);
                r.set(b, x[1]);
            }
        }
        double[] mu = new double[r.size()], sd = new double[r.size()];
        for (int i = 0; i < r.size(); i++) { mu[i] = r.get(i).mu(); sd[i] = r.get(i).sigma(); }
        return new Result(names, mu, sd);
    }
}
