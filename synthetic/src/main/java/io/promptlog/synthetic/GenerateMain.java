package io.promptlog.synthetic;

import java.nio.file.Path;

/**
 * Stand-alone entry point of the load generator (the CLI's {@code generate} command wraps the same
 * {@link Generate}). Exit codes: 0 ok, 1 failure, 2 bad usage.
 */
public final class GenerateMain {
    private static final String USAGE = "usage: generate --count N [--rate R] [--threads T] [--dir D] [--ack-every K]"
            + " [--seq-start S] [--seed X] [--no-progress]";

    private GenerateMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        GenerateOptions options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("generate: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        if (options == null) {
            System.out.println(USAGE);
            return 0;
        }
        try {
            Generate.Result r = Generate.run(options, System.out, System.err);
            System.err.printf("logged %,d calls to %s in %.1f s (%,.0f calls/s), dropped %,d%n", r.appended(),
                    options.home().resolve("queue"), r.elapsedNanos() / 1e9, r.appended() / (r.elapsedNanos() / 1e9),
                    r.dropped());
            return r.dropped() == 0 ? 0 : 1;
        } catch (Exception e) {
            System.err.println("generate: " + e.getMessage());
            return 1;
        }
    }

    static GenerateOptions parse(String[] args) {
        GenerateOptions.Builder b = GenerateOptions.builder();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (a.equals("--no-progress")) {
                b.progress(false);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--count" -> b.count(Long.parseLong(v));
                    case "--rate" -> b.ratePerSecond(Double.parseDouble(v));
                    case "--threads" -> b.threads(Integer.parseInt(v));
                    case "--dir" -> b.home(Path.of(v));
                    case "--ack-every" -> b.ackEvery(Long.parseLong(v));
                    case "--seq-start" -> b.seqStart(Long.parseLong(v));
                    case "--seed" -> b.seed(Long.parseLong(v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + a + " needs a number, got '" + v + "'");
            }
        }
        return b.build();
    }
}
