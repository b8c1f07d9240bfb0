package io.promptlog.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code promptlog show} end to end, as users run it: a child JVM per call, JVM start included. */
final class ShowTiming {
    private ShowTiming() {
    }

    /** {@code java <the launcher's flags> -jar jar}. */
    static List<String> javaJar(Path jar) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JvmFlags.list());
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    /** Median wall time of 3 {@code <prefix> show <id> --data D} child processes, different ids (after one untimed run). */
    static double showMillis(List<String> prefix, Path data, List<String> ids, boolean warmUp) throws Exception {
        double[] ms = new double[3];
        for (int i = warmUp ? -1 : 0; i < ms.length; i++) {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of("show", ids.get((i + ids.size()) % ids.size()), "--data", data.toString()));
            long a = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            int code = p.waitFor();
            if (i >= 0) {
                ms[i] = (System.nanoTime() - a) / 1e6;
            }
            if (code != 0) {
                throw new IllegalStateException("show exited " + code + ": " + new String(output, StandardCharsets.UTF_8));
            }
        }
        return StorageCompaction.median(ms);
    }
}
