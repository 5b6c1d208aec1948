package dev.prefer.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.rl.teacher.Label;
import dev.prefer.rl.teacher.LabelBudget;
import dev.prefer.rl.teacher.QuerySelection;
import dev.prefer.rl.teacher.Teacher;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The six B-Pref teachers' label statistics against their definitions, on constructed segments. */
class TeacherTest {
    static final int N = 40_000;

    /** Fraction of N labels equal to {@code which}. */
    static double frequency(Teacher t, double[] r1, double[] r2, Label which, long seed) {
        Random rng = new Random(seed);
        int k = 0;
        for (int i = 0; i < N; i++) {
            if (t.label(r1, r2, rng) == which) {
                k++;
            }
        }
        return (double) k / N;
    }

    /** |observed - p| within 5 binomial standard errors. */
    static void assertBinomial(double p, double observed) {
        double se = Math.sqrt(p * (1 - p) / N);
        assertTrue(Math.abs(observed - p) <= 5 * se + 1e-12, "observed " + observed + " expected " + p + " +- " + 5 * se);
    }

    @Test
    void oraclePrefersTheLargerReturnAndTiesGoFirst() {
        Teacher o = Teacher.oracle();
        Random rng = new Random(1);
        assertEquals(Label.FIRST, o.label(new double[] {1, 2}, new double[] {2, 0.5}, rng));
        assertEquals(Label.SECOND, o.label(new double[] {1, 1}, new double[] {2, 0.5}, rng));
        assertEquals(Label.FIRST, o.label(new double[] {1, 1}, new double[] {0, 2}, rng));   // tie: labels = 1*(s1 < s2) = 0
        assertEquals(1.0, frequency(o, new double[] {3}, new double[] {2.999}, Label.FIRST, 2));
    }

    @Test
    void noisyTeacherFollowsBradleyTerry() {
        double[] r1 = {0.5, 0.25};
        double[] r2 = {0.25, 0.0};
        for (double beta : new double[] {0.5, 2, 10}) {
            double p = 1 / (1 + Math.exp(-beta * 0.5));
            assertBinomial(p, frequency(Teacher.noisy(beta), r1, r2, Label.FIRST, 3));
        }
    }

    @Test
    void mistakeTeacherFlipsWithProbabilityEpsilon() {
        for (double eps : new double[] {0.1, 0.3}) {
            assertBinomial(eps, frequency(Teacher.mistake(eps), new double[] {1}, new double[] {0}, Label.SECOND, 4));
            assertBinomial(eps, frequency(Teacher.mistake(eps), new double[] {0}, new double[] {1}, Label.FIRST, 5));
        }
    }

    @Test
    void myopicTeacherWeightsRecentSteps() {
        double[] early = {1, 0, 0};
        double[] late = {0, 0, 0.9};
        Random rng = new Random(6);
        assertEquals(Label.FIRST, Teacher.oracle().label(early, late, rng));
        // gamma 0.9: early = 0.9^2 * 1 = 0.81 < late = 0.9
        assertEquals(0.81, Teacher.myopic(0.9).weightedReturn(early), 1e-12);
        assertEquals(Label.SECOND, Teacher.myopic(0.9).label(early, late, rng));
    }

    @Test
    void skipTeacherSkipsWhenNeitherSegmentClearsTheThreshold() {
        Teacher s = Teacher.skip(0.1).withMargin(10);          // threshold 1.0
        assertEquals(1.0, s.thresSkip(), 1e-12);
        Random rng = new Random(7);
        assertEquals(Label.SKIP, s.label(new double[] {0.5, 0.5}, new double[] {0.2, 0.2}, rng));   // max 1.0 <= 1.0
        assertEquals(Label.FIRST, s.label(new double[] {0.5, 0.51}, new double[] {0.2, 0.2}, rng));
        assertEquals(Label.SECOND, s.label(new double[] {0.5, 0.5}, new double[] {1.2, 0}, rng));
        assertEquals(Label.SKIP, Teacher.skip(0.1).withMargin(0).withMargin(10).label(new double[] {-5}, new double[] {-3}, rng));
    }

    @Test
    void equalTeacherOverridesEvenMistakes() {
        Teacher e = new Teacher(-1, 1, 0.5, 0, 0.1, 0, 0).withMargin(10);   // equal threshold 1.0, mistakes 50%
        assertEquals(1.0, e.thresEqual(), 1e-12);
        assertEquals(1.0, frequency(e, new double[] {0.6}, new double[] {-0.3}, Label.EQUAL, 8));
        assertBinomial(0.5, frequency(e, new double[] {1.0}, new double[] {-0.1}, Label.FIRST, 9));
        assertEquals(0.5, Label.EQUAL.firstProbability());
    }

    @Test
    void parseNamesTheSixTeachers() {
        assertEquals(Teacher.oracle(), Teacher.parse("oracle"));
        assertEquals(Teacher.mistake(0.1), Teacher.parse("mistake:0.1"));
        assertEquals(Teacher.noisy(1), Teacher.parse("noisy"));
        assertEquals(Teacher.noisy(2), Teacher.parse("stoc:2"));
        assertEquals(Teacher.skip(0.1), Teacher.parse("skip:0.1"));
        assertEquals(Teacher.equal(0.1), Teacher.parse("equal"));
        assertEquals(Teacher.myopic(0.9), Teacher.parse("myopic:0.9"));
        assertThrows(IllegalArgumentException.class, () -> Teacher.parse("grumpy"));
        assertThrows(IllegalArgumentException.class, () -> Teacher.parse("mistake:x"));
        assertThrows(IllegalArgumentException.class, () -> Teacher.parse("mistake:1.5"));
    }

    @Test
    void querySelectionByDisagreementAndEntropy() {
        double[][] p = {
            {0.5, 0.9, 0.2, 0.99},
            {0.5, 0.1, 0.3, 0.99},
            {0.5, 0.5, 0.25, 0.99},
        };
        // std per candidate: 0, sqrt(((0.4)^2+(0.4)^2+0)/3)=0.3266, 0.0408, 0
        assertArrayEquals(new int[] {1, 2}, QuerySelection.DISAGREEMENT.select(p, 2, new Random(0)));
        // mean member entropy: c0 = ln 2 = 0.693; c1 = (0.325 + 0.325 + 0.693) / 3 = 0.448;
        // c2 = (0.500 + 0.611 + 0.562) / 3 = 0.558; c3 = 0.056
        assertArrayEquals(new int[] {0, 2}, QuerySelection.ENTROPY.select(p, 2, new Random(0)));
        int[] u = QuerySelection.UNIFORM.select(p, 3, new Random(0));
        assertEquals(3, Arrays.stream(u).distinct().count());
        assertEquals(QuerySelection.ENTROPY, QuerySelection.parse("entropy"));
    }

    @Test
    void budgetRounds() {
        LabelBudget b = new LabelBudget(50, 20);
        int rounds = 0;
        while (b.nextRound() > 0) {
            b.spend(b.nextRound());
            rounds++;
        }
        assertEquals(3, rounds);
        assertEquals(50, b.used());
        assertThrows(IllegalStateException.class, () -> b.spend(1));
    }
}
