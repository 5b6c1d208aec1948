package dev.prefer.cli;

import dev.prefer.rl.RlTrain;
import dev.prefer.rl.env.Env;
import dev.prefer.rl.env.Envs;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer rl <verb>}: preference-based reinforcement learning for control (prefer-rl). */
@Command(name = "rl", mixinStandardHelpOptions = true,
        description = "Preference-based RL for control: environments, simulated teachers, reward learning, PEBBLE, CPL.",
        subcommands = {RlCommand.Envs_.class, RlCommand.Train.class},
        footer = {"", "Examples:", "  ./prefer rl envs",
                "  ./prefer rl train --env delivery --method regret --teacher noisy:1 --labels 300 --seeds 5 --out runs/knox"})
public final class RlCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "envs", mixinStandardHelpOptions = true, description = "List the built-in environments and their methods.",
            footer = {"", "Examples:", "  ./prefer rl envs"})
    static final class Envs_ implements Callable<Integer> {
        @Override
        public Integer call() {
            for (String name : Envs.names()) {
                Env e = Envs.make(name);
                System.out.printf(Locale.ROOT, "%-17s obs %3d  %s  rewards %d  max %3d steps  methods: %s%n    %s%n", name, e.observationSize(),
                        e.actionCount() > 0 ? String.format(Locale.ROOT, "actions %d", e.actionCount()) : String.format(Locale.ROOT, "action dim %d", e.actionSize()),
                        e.rewardSize(), e.maxSteps(), RlTrain.methods(name).isEmpty() ? "(environment only)" : String.join(", ", RlTrain.methods(name)),
                        Envs.descriptions().get(name));
            }
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Train one method on one environment from simulated-teacher preferences over several seeds; writes "
                    + "seed-N.json (learning curves), report.md and manifest.json. Rerunning into the same folder resumes: "
                    + "finished seeds are kept, and a seed interrupted mid-run continues from its checkpoint seed-N.ckpt "
                    + "(every training loop; the short reward fits regret and partial-return restart) to the same result."},
            footer = {"", "Examples:",
                    "  ./prefer rl train --env delivery --method regret --teacher noisy:1 --labels 300 --seeds 5 --out runs/knox-regret",
                    "  ./prefer rl train --env delivery --method partial-return --teacher noisy:1 --labels 300 --seeds 5 --out runs/knox-pr",
                    "  ./prefer rl train --env reacher-discrete --method pebble --teacher mistake:0.1 --labels 50 --steps 8000 --out runs/pebble",
                    "  ./prefer rl train --env dst-concave --method mo-reward --teacher mistake:0.1 --labels 4000 --steps 3000 --seeds 5 --out runs/dst",
                    "  ./prefer rl train --env reacher --method cpl --labels 500 --steps 1500 --seeds 5 --out runs/cpl-continuous",
                    "  ./prefer rl train --env reacher --method pebble-surf --labels 50 --steps 4000 --seeds 5 --out runs/surf",
                    "  ./prefer rl train --env offload --method mo-reward --labels 1000 --steps 5000 --seeds 5 --out runs/offload",
                    "  ./prefer rl train --env offload --method mo-reward --labels 1000 --steps 5000 --seeds 5 --out runs/offload --resume",
                    "  ./prefer rl train --env reacher-discrete --method sirl --labels 300 --steps 300 --seeds 5 --out runs/sirl",
                    "  ./prefer rl train --env reacher-discrete --method style --labels 0 --steps 6000 --seeds 5 --out runs/style"})
    static final class Train implements Callable<Integer> {
        @Option(names = "--env", required = true, description = "Environment (see `prefer rl envs`).")
        String env;
        @Option(names = "--method", required = true, description = "per environment, as `prefer rl envs` lists them: regret, partial-return, pebble, pebble-surf, true-reward, random, cpl, cpl-bc, cpl-nobc, oppo, sirl, style, mo-reward, mo-active, mo-policy, mo-dqn, mo-cpl.")
        String method;
        @Option(names = "--teacher", defaultValue = "mistake:0.1", description = "oracle, noisy:BETA, mistake:EPS, skip:EPS, equal:EPS or myopic:GAMMA.")
        String teacher;
        @Option(names = "--labels", defaultValue = "100", description = "Label budget (queries asked of the teacher).")
        int labels;
        @Option(names = "--seeds", defaultValue = "5", description = "Number of seeds.")
        int seeds;
        @Option(names = "--seed", defaultValue = "0", description = "First seed.")
        long seed;
        @Option(names = "--steps", defaultValue = "300", description = "Optimisation steps (reward fits, CPL, style imitation), environment steps (pebble, true-reward) or similarity queries (sirl).")
        int steps;
        @Option(names = "--out", required = true, description = "Output folder (a folder with the same configuration is resumed).")
        Path out;
        @Option(names = "--reward-backend", defaultValue = "java", description = "Where pebble/pebble-surf train their reward ensemble: java (hand-written loop) or torch (PyTorch engine, every step of a minibatch in one pass; `prefer bench rl-reward`).")
        String rewardBackend;
        @Option(names = "--resume", description = "Continue the run in --out and fail if the folder holds none (a rerun without it continues too).")
        boolean resume;

        @Override
        public Integer call() {
            var c = new RlTrain.Config(env, method, teacher, labels, seeds, seed, steps, rewardBackend);
            if (resume && !java.nio.file.Files.exists(out.resolve("config.json"))) {
                throw new IllegalArgumentException(out + "/config.json: --resume, but the folder holds no run to continue");
            }
            RlTrain.run(c, out, System.out::println);
            System.out.println("report -> " + out.resolve("report.md"));
            return 0;
        }
    }
}
