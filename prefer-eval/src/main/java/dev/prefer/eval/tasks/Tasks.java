package dev.prefer.eval.tasks;

import java.util.List;

/** The built-in verifiable tasks with their default settings, by name. */
public final class Tasks {
    private Tasks() {}

    public static final List<String> NAMES = List.of("arithmetic", "format", "counting");

    /** The task of that name with default settings; IllegalArgumentException naming the choices otherwise. */
    public static VerifiableTask<? extends Problem> byName(String name) {
        return switch (name) {
            case "arithmetic" -> ArithmeticTask.defaults();
            case "format" -> FormatTask.defaults();
            case "counting" -> CountingTask.defaults();
            default -> throw new IllegalArgumentException("unknown task '" + name + "'; choose one of " + NAMES);
        };
    }
}
