package dev.prefer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code prefer spark rate|bench ...}: runs the {@code prefer-spark} module's launcher in its own JVM, so that
 * Spark's jars (and the JVM flags Spark needs on Java 17) stay out of every other command's classpath. The jar is
 * {@code prefer-spark/target/prefer-spark.jar} next to this CLI's, or {@code $PREFER_SPARK_JAR}.
 */
@Command(name = "spark", mixinStandardHelpOptions = false,
        description = "Ratings, style control and batch scoring on Apache Spark (local mode out of the box): 'prefer spark rate FILE ...', "
                + "'prefer spark score|logps --model DIR --data PAIRS --out DIR', 'prefer spark bench --rows N'. See docs/spark.md.",
        footer = {"", "Examples:",
                "  ./prefer spark rate ../shared/data/llmfao/crowd-comparisons.csv --a left --b right --bootstrap 100",
                "  ./prefer spark rate ../shared/data/llmfao/crowd-comparisons.csv --a left --b right --bootstrap 1000 --bootstrap-method poisson",
                "  ./prefer spark score --model ../shared/fixtures/hf-tiny-rm/llama-rm --data ../shared/fixtures/hf-tiny/pairs.jsonl --out /tmp/scored",
                "  ./prefer spark bench --rows 100000000 --items 129 --partitions 2,4",
                "  ./prefer spark --help"})
public final class SparkCommand implements Callable<Integer> {
    /** The JVM flags Spark 4 needs on Java 17 (Spark's own launcher passes the same, JavaModuleOptions). */
    static final List<String> JVM_FLAGS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true");

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Passed to prefer-spark (rate, score, logps, bench, --help).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path jar = locate();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        String heap = System.getenv("PREFER_SPARK_HEAP");
        cmd.add("-Xmx" + (heap == null ? "4g" : heap));
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        if (args.isEmpty()) cmd.add("--help");
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    static Path locate() {
        String env = System.getenv("PREFER_SPARK_JAR");
        if (env != null) {
            Path p = Path.of(env);
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("PREFER_SPARK_JAR names no file: " + p);
            return p;
        }
        try {
            Path self = Path.of(SparkCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // prefer-cli/target/prefer-cli.jar (or target/classes) -> prefer-spark/target/prefer-spark.jar
            Path root = self.getParent().getParent().getParent();
            Path p = root.resolve("prefer-spark").resolve("target").resolve("prefer-spark.jar");
            if (Files.isRegularFile(p)) return p;
            throw new IllegalArgumentException("the Spark module is not built: run 'mvn -q -B -DskipTests package -pl prefer-spark -am' (looked for " + p + ")");
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("cannot locate prefer-spark.jar; set PREFER_SPARK_JAR");
        }
    }
}
