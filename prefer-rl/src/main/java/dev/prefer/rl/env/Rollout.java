package dev.prefer.rl.env;

import dev.prefer.rl.policy.ActionSegment;
import dev.prefer.rl.policy.SegmentData;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One episode's observations, actions (vectors; a discrete action a is {a}) and reward vectors, and its cut into
 * consecutive segments: the behaviour data of the offline studies (reacher datasets, offloading preferences).
 */
public record Rollout(List<double[]> obs, List<double[]> actions, List<double[]> rewards) {

    /** Runs the policy from the observation {@code first} (the environment was just reset) to the end of the episode. */
    public static Rollout run(Env env, double[] first, Function<double[], double[]> policy) {
        Rollout r = new Rollout(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        double[] o = first;
        Env.Step s;
        do {
            double[] a = policy.apply(o);
            s = env.step(a);
            r.obs.add(o);
            r.actions.add(a);
            r.rewards.add(s.reward());
            o = s.observation();
        } while (!s.done());
        return r;
    }

    /** Consecutive segments of {@code len} steps with discrete actions (a trailing shorter piece is dropped). */
    public List<SegmentData> segments(int len) {
        List<SegmentData> out = new ArrayList<>();
        for (int start = 0; start + len <= obs.size(); start += len) {
            int[] a = new int[len];
            for (int t = 0; t < len; t++) {
                a[t] = (int) actions.get(start + t)[0];
            }
            out.add(new SegmentData(slice(obs, start, len), a, slice(rewards, start, len)));
        }
        return out;
    }

    /** Consecutive segments of {@code len} steps with continuous actions (a trailing shorter piece is dropped). */
    public List<ActionSegment> actionSegments(int len) {
        List<ActionSegment> out = new ArrayList<>();
        for (int start = 0; start + len <= obs.size(); start += len) {
            out.add(new ActionSegment(slice(obs, start, len), slice(actions, start, len), slice(rewards, start, len)));
        }
        return out;
    }

    private static double[][] slice(List<double[]> xs, int start, int len) {
        return xs.subList(start, start + len).toArray(new double[0][]);
    }
}
