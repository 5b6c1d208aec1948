package dev.prefer.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What every {@code prefer bench} comparison with a plain-PyTorch reference shares: the runs of each side collected
 * by name (alternated by the caller, so that load drift hits both alike) with medians per column and ratios from the
 * same alternated run, the load average, and the reference process in the tuned environment of
 * ../shared/bench/README.md with its peak RSS polled from /proc (its own ru_maxrss would inherit the JVM's
 * high-water mark across the spawn). A benchmark prints; nothing here asserts speed.
 */
final class BenchHarness {
    private BenchHarness() {}

    /** Runs of each side by name, in the order first seen: one row of numbers (s/step, tokens/s, ...) per run. */
    static final class Runs {
        private final Map<String, List<double[]>> rows = new LinkedHashMap<>();

        void add(String side, double... row) {
            rows.computeIfAbsent(side, k -> new ArrayList<>()).add(row);
        }

        boolean has(String side) {
            return rows.containsKey(side);
        }

        List<String> sides() {
            return new ArrayList<>(rows.keySet());
        }

        /** The median over the runs of {@code side} of column {@code col}. */
        double median(String side, int col) {
            List<double[]> r = rows.get(side);
            if (r == null) throw new IllegalArgumentException("no runs of " + side);
            double[] x = new double[r.size()];
            for (int i = 0; i < x.length; i++) x[i] = r.get(i)[col];
            return BenchHarness.median(x);
        }

        /** median(num) / median(den) of column {@code col}. */
        double ratio(String num, String den, int col) {
            return median(num, col) / median(den, col);
        }
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] x) {
        double[] s = x.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    /** The load average over 1, 5 and 15 minutes, or {@code n/a}. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** A finished reference process: its output lines, exit code and peak RSS (VmHWM, MiB; NaN when not seen). */
    record Output(List<String> lines, int exitCode, double peakRssMiB) {
        /** The last line, for a one-line failure message. */
        String lastLine() {
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        /** All output on one line. */
        String joined() {
            return String.join(" ", lines).strip();
        }
    }

    /**
     * Runs {@code cmd} (the reference script) in ../shared/bench/README.md's tuned environment: OpenBLAS's core
     * overrides unset, glibc's malloc thresholds raised, OpenMP threads passive; and without what {@code ./prefer} sets
     * for the JVM's own libtorch (its MKL shim in LD_PRELOAD, THP_MEM_ALLOC_ENABLE), which the README's shell lacks.
     * {@code onLine} sees each output line as it comes (may be null).
     */
    static Output runReference(List<String> cmd, Consumer<String> onLine) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        env.remove("THP_MEM_ALLOC_ENABLE");
        env.remove("LD_PRELOAD");
        env.put("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184");
        env.put("OMP_WAIT_POLICY", "passive");
        Process p = pb.start();
        double[] childPeak = {Double.NaN};
        Thread poll = new Thread(() -> {
            Path status = Path.of("/proc/" + p.pid() + "/status");
            while (p.isAlive()) {
                try {
                    for (String l : Files.readAllLines(status)) {
                        if (l.startsWith("VmHWM:")) {
                            double v = Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
                            childPeak[0] = Double.isNaN(childPeak[0]) ? v : Math.max(childPeak[0], v);
                        }
                    }
                    Thread.sleep(100);
                } catch (IOException | RuntimeException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        poll.setDaemon(true);
        poll.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (onLine != null) onLine.accept(line);
            }
        }
        int code = p.waitFor();
        poll.join(1000);
        return new Output(lines, code, childPeak[0]);
    }
}
