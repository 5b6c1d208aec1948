package dev.prefer.ratings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.Source;
import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContextualAndMixtureTest {

    static Vote vote(String a, String b, Outcome o, String ann, double... f) {
        return new Vote(a, b, o, 1.0, ann, null, null, f, Source.MEMORY);
    }

    @Test
    void contextualWithoutFeaturesIsBradleyTerry() {
        List<Vote> plain = Shared.llmfaoCrowd().votes().subList(0, 3000);
        Fit bt = BradleyTerry.fit(plain, FitOptions.DEFAULT.withL2(0.01));
        ContextualBradleyTerry.Result cx = ContextualBradleyTerry.fit(plain, List.of(), FitOptions.DEFAULT.withL2(0.01));
        assertEquals(0, cx.beta().length);
        for (String item : bt.items()) assertEquals(bt.theta(item), cx.fit().theta(item), 1e-9);
        for (String item : bt.items()) {
            assertEquals(bt.standardError()[bt.items().indexOf(item)], cx.fit().standardError()[cx.fit().items().indexOf(item)], 1e-9);
        }
    }

    @Test
    void contextualRecoversAStyleEffectAndSatisfiesFirstOrderConditions() {
        // 8 items with strengths s_i = (i - 3.5)/3; feature f ~ N(0,1) per vote; logit = s_a - s_b + 0.8 f.
        SplittableRandom rnd = new SplittableRandom(5);
        List<Vote> votes = new ArrayList<>();
        double betaTrue = 0.8;
        for (int k = 0; k < 20000; k++) {
            int a = rnd.nextInt(8), b = rnd.nextInt(7);
            if (b >= a) b++;
            double f = rnd.nextGaussian();
            double z = (a - b) / 3.0 + betaTrue * f;
            Outcome o = rnd.nextDouble() < 1 / (1 + Math.exp(-z)) ? Outcome.A_WINS : Outcome.B_WINS;
            votes.add(vote("m" + a, "m" + b, o, null, f));
        }
        ContextualBradleyTerry.Result r = ContextualBradleyTerry.fit(votes, List.of("f"), FitOptions.DEFAULT);
        assertTrue(r.fit().converged());
        assertTrue(Math.abs(r.beta()[0] - betaTrue) < 4 * r.betaSe()[0], "beta " + r.beta()[0] + " se " + r.betaSe()[0]);
        for (int i = 0; i < 8; i++) {
            double truth = (i - 3.5) / 3.0;
            double se = r.fit().standardError()[r.fit().items().indexOf("m" + i)];
            assertTrue(Math.abs(r.fit().theta("m" + i) - truth) < 4 * se, "m" + i);
        }
        // Gradient of the objective is zero at the optimum (central finite differences).
        int n = 8;
        double[] x = new double[n + 1];
        for (int i = 0; i < n; i++) x[i] = r.fit().theta(r.fit().items().get(i));
        x[n] = r.beta()[0];
        int nv = votes.size();
        int[] a = new int[nv], b = new int[nv];
        double[] y = new double[nv], w = new double[nv];
        double[][] f = new double[nv][];
        for (int k = 0; k < nv; k++) {
            Vote v = votes.get(k);
            a[k] = r.fit().items().indexOf(v.a());
            b[k] = r.fit().items().indexOf(v.b());
            y[k] = v.outcome() == Outcome.A_WINS ? 1 : 0;
            w[k] = 1;
            f[k] = v.features();
        }
        double[] g = new double[n + 1], h = new double[(n + 1) * (n + 1)];
        ContextualBradleyTerry.derivatives(a, b, y, w, f, x, n, 0, g, h);
        for (int q = 0; q <= n; q++) {
            double[] p = x.clone(), m = x.clone();
            p[q] += 1e-6;
            m[q] -= 1e-6;
            double fd = (ContextualBradleyTerry.objective(a, b, y, w, f, p, n, 0) - ContextualBradleyTerry.objective(a, b, y, w, f, m, n, 0)) / 2e-6;
            assertEquals(fd, g[q], 1e-4);
            assertEquals(0, g[q], 1e-6);
        }
    }

    /** Two populations ranking six items in opposite orders. */
    static List<Vote> twoPopulations(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Vote> votes = new ArrayList<>();
        for (int u = 0; u < 60; u++) {
            boolean flip = u % 2 == 1;
            for (int k = 0; k < 60; k++) {
                int a = rnd.nextInt(6), b = rnd.nextInt(5);
                if (b >= a) b++;
                double d = (flip ? -1 : 1) * (a - b) * 0.6;
                Outcome o = rnd.nextDouble() < 1 / (1 + Math.exp(-d)) ? Outcome.A_WINS : Outcome.B_WINS;
                votes.add(vote("i" + a, "i" + b, o, "u" + u));
            }
        }
        return votes;
    }

    @Test
    void mixtureFindsTwoOpposedPopulationsAndHeldOutPrefersTwo() {
        List<Vote> votes = twoPopulations(3);
        BradleyTerryMixture.Result r = BradleyTerryMixture.fit(votes, BradleyTerryMixture.Options.of(2, 1));
        // Annotators u0, u2, ... share one component; u1, u3, ... the other.
        int correct = 0;
        int evenK = r.responsibility()[r.annotators().indexOf("u0")][0] > 0.5 ? 0 : 1;
        for (int u = 0; u < 60; u++) {
            double pr = r.responsibility()[r.annotators().indexOf("u" + u)][evenK];
            if ((u % 2 == 0) == (pr > 0.5)) correct++;
        }
        assertTrue(correct >= 57, "annotators assigned correctly: " + correct);
        double k1 = BradleyTerryMixture.heldOut(votes, BradleyTerryMixture.Options.of(1, 2), 0.25);
        double k2 = BradleyTerryMixture.heldOut(votes, BradleyTerryMixture.Options.of(2, 2), 0.25);
        assertTrue(k2 > k1 + 50, "held-out log-likelihood K=1 " + k1 + ", K=2 " + k2);
    }

    @Test
    void oneComponentMixtureIsPenalisedBradleyTerry() {
        List<Vote> votes = twoPopulations(4).subList(0, 1200);
        BradleyTerryMixture.Result r = BradleyTerryMixture.fit(votes, new BradleyTerryMixture.Options(1, 0.05, 50, 1e-12, 1, 0));
        Fit bt = BradleyTerry.fit(votes, FitOptions.DEFAULT.withL2(0.05));
        double[] mix = r.theta()[0];
        double[] ref = new double[mix.length];
        for (int i = 0; i < ref.length; i++) ref[i] = bt.theta(r.items().get(i));
        assertArrayEquals(ref, mix, 1e-8);
    }

    @Test
    void diagnostics() {
        // A 3-cycle: a beats b, b beats c, c beats a (2-1 each).
        List<Vote> v = new ArrayList<>();
        String[][] g = {{"a", "b"}, {"b", "c"}, {"c", "a"}};
        for (String[] x : g) {
            v.add(vote(x[0], x[1], Outcome.A_WINS, "p"));
            v.add(vote(x[0], x[1], Outcome.A_WINS, "q"));
            v.add(vote(x[1], x[0], Outcome.A_WINS, "q"));
        }
        v.add(vote("a", "d", Outcome.A_WINS, "p"));
        v.add(vote("d", "a", Outcome.A_WINS, "q"));
        Diagnostics.Cycles c = Diagnostics.cycles(Comparisons.of(v), 10);
        assertEquals(1, c.count());
        assertEquals(List.of("a", "b", "c"), c.sample().get(0));
        // Against the all-equal consensus of a symmetric cycle, agreement is 1/2 for ties of θ; use a fit with d.
        Fit fit = BradleyTerry.fit(v);
        List<Diagnostics.Agreement> ag = Diagnostics.annotatorAgreement(v, fit);
        assertEquals(2, ag.size());
        assertEquals(4, ag.get(0).votes());
        assertTrue(ag.get(0).agreement() >= 0 && ag.get(0).agreement() <= 1);
    }
}
