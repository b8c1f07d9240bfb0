package io.promptlog.writer;

/**
 * The process that wrote a record: its host name, process id and start time (microseconds since the
 * epoch, -1 when unknown), which together tell a live writer from a dead one whose pid was reused.
 * Request halves of two-phase calls carry it (see {@link CallRecorder#send()}).
 */
public record WriterProcess(String host, long pid, long startedMicros) {

    /** This JVM. */
    public static WriterProcess current() {
        return Current.VALUE;
    }

    /**
     * Whether this process is gone, as seen from this machine: false when it runs on another host (then no
     * one here can tell) or is still running with the same start time.
     */
    public boolean isGoneOn(String localHost) {
        if (!host.equals(localHost)) {
            return false;
        }
        java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return true;
        }
        if (startedMicros < 0) {
            return false;
        }
        return h.get().info().startInstant()
                .map(i -> Math.abs(i.getEpochSecond() * 1_000_000L + i.getNano() / 1000 - startedMicros) > 1_000_000L)
                .orElse(false);
    }

    private static final class Current {
        static final WriterProcess VALUE = detect();

        private static WriterProcess detect() {
            ProcessHandle me = ProcessHandle.current();
            long started = me.info().startInstant().map(i -> i.getEpochSecond() * 1_000_000L + i.getNano() / 1000).orElse(-1L);
            return new WriterProcess(hostName(), me.pid(), started);
        }
    }

    /** This machine's host name as the writer records it (the HOSTNAME variable, else the resolver's name). */
    public static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
