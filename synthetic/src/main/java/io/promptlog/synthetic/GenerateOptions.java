package io.promptlog.synthetic;

import java.nio.file.Path;

/**
 * Options of the load generator ({@code promptlog generate}), validated once by {@link Builder#build()}.
 *
 * @param home        promptlog home directory (the queue goes to {@code home/queue})
 * @param count       calls to log
 * @param ratePerSecond target calls per second over all threads, open loop; 0 = as fast as possible
 * @param threads     logging threads
 * @param ackEvery    print {@code acked <n>} each time calls seq..seq+n-1 have all returned, n a multiple of
 *                    this; 0 = never
 * @param seqStart    first {@code attributes.seq}
 * @param seed        generator seed (same seed, same calls)
 * @param progress    draw a progress bar on the error stream
 * @param chatTurns   0: independent calls; else a multi-turn chat workload with this many turns per
 *                    conversation, every call re-sending the conversation so far ({@link SyntheticCalls#chat})
 */
public record GenerateOptions(Path home, long count, double ratePerSecond, int threads, long ackEvery, long seqStart,
                              long seed, boolean progress, int chatTurns) {

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Path home = Path.of("promptlog-home");
        private long count = 100_000;
        private double rate;
        private int threads = 1;
        private long ackEvery;
        private long seqStart;
        private long seed = 42;
        private boolean progress = true;
        private int chatTurns;

        public Builder home(Path v) {
            home = v;
            return this;
        }

        public Builder count(long v) {
            count = v;
            return this;
        }

        public Builder ratePerSecond(double v) {
            rate = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder ackEvery(long v) {
            ackEvery = v;
            return this;
        }

        public Builder seqStart(long v) {
            seqStart = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder progress(boolean v) {
            progress = v;
            return this;
        }

        public Builder chatTurns(int v) {
            chatTurns = v;
            return this;
        }

        public GenerateOptions build() {
            if (home == null) {
                throw new IllegalArgumentException("--dir must be given");
            }
            if (count < 0) {
                throw new IllegalArgumentException("--count must be >= 0, was " + count);
            }
            if (!(rate >= 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("--rate must be >= 0 calls/s (0 = unlimited), was " + rate);
            }
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("--threads must be 1..256, was " + threads);
            }
            if (ackEvery < 0) {
                throw new IllegalArgumentException("--ack-every must be >= 0, was " + ackEvery);
            }
            if (seqStart < 0) {
                throw new IllegalArgumentException("--seq-start must be >= 0, was " + seqStart);
            }
            if (chatTurns < 0 || chatTurns > 1000) {
                throw new IllegalArgumentException("--chat-turns must be 0..1000 (0 = independent calls), was " + chatTurns);
            }
            return new GenerateOptions(home, count, rate, threads, ackEvery, seqStart, seed, progress, chatTurns);
        }
    }
}
