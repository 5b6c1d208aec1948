package dev.prefer.spark;

import org.apache.spark.sql.SparkSession;

/** One local[2] Spark session for all test classes of the module (start-up dominates on 2 cores); stopped at exit. */
final class SparkTests {
    private SparkTests() {}

    private static SparkSession spark;

    static synchronized SparkSession session() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("prefer-spark-test")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "4").getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
        }
        return spark;
    }
}
