import io.promptlog.compactor.*;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.*;
import java.nio.file.*;
import java.util.*;
import java.lang.management.*;

public class CompactLoop {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]); int reps = Integer.parseInt(a[1]);
    boolean redact = a.length < 3 || !a[2].equals("none");
    Path root = Files.createTempDirectory("compactloop-");
    try {
      Path home = root.resolve("home");
      int turns = a.length > 3 ? Integer.parseInt(a[3]) : 0;
      SyntheticCalls syn = turns == 0 ? new SyntheticCalls(20251201L, 24, 1024, 60 * 1024) : SyntheticCalls.chat(20251201L, 24, 1024, 60 * 1024, turns);
      try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
        for (int i = 0; i < n; i++) { int st = log.append(syn.call(i)); if (!AppendStatus.isAppended(st)) throw new IllegalStateException(AppendStatus.describe(st)); }
      }
      ThreadMXBean tm = ManagementFactory.getThreadMXBean();
      for (int r = 0; r < reps; r++) {
        Path data = root.resolve("data-" + r);
        CompactorConfig.Builder b = CompactorConfig.builder(home).dataDir(data).retention(RetentionPolicy.all())
            .queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER);
        if (!redact) b.redactor(Redactors.none());
        try (Compactor c = Compactor.open(b.build())) {
          long c0 = tm.getCurrentThreadCpuTime(); long w0 = System.nanoTime();
          long w = c.runOnce().callsWritten();
          long wall = System.nanoTime() - w0, cpu = tm.getCurrentThreadCpuTime() - c0;
          long up = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(); System.out.printf("rep %d: %d calls, %.0f calls/s wall, %.0f calls/thread-cpu-s, wall %.3f s cpu %.3f s, uptime %.3f-%.3f%n", r, w, w / (wall / 1e9), w / (cpu / 1e9), wall/1e9, cpu/1e9, (up - wall/1e6)/1e3, up/1e3);
        }
        deleteTree(data);
      }
    } finally { deleteTree(root); }
  }
  static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (var s = Files.walk(p)) { s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete()); }
  }
}
