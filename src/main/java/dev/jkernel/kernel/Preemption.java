package dev.jkernel.kernel;

import java.util.SplittableRandom;

/**
 * Forced preemption (issue 5): the scheduler preempts a guest thread at chosen instruction counts, deterministically,
 * so that any instruction of an rseq critical section (or any other racy code) can be made the point of preemption.
 * A preemption is a real context switch: the thread gives up its vCPU and takes one again, so rseq aborts and cpu
 * publication happen exactly as after a time-slice preemption.
 *
 * <p>Specifications ({@code --preempt SPEC}):
 * <ul>
 * <li>{@code every:N} — after every N instructions each thread retires;</li>
 * <li>{@code random:SEED[:MAX]} — after a random count in [1, MAX] (default 100), drawn per thread from SEED and the
 * thread id, so two runs with the same seed preempt at the same instructions;</li>
 * <li>{@code at:N1,N2,...} — after exactly these instruction counts of each thread.</li>
 * </ul>
 */
public final class Preemption {
    private enum Mode { EVERY, RANDOM, AT }

    private final Mode mode;
    private final long n;
    private final long seed;
    private final long[] points;

    private Preemption(Mode mode, long n, long seed, long[] points) {
        this.mode = mode;
        this.n = n;
        this.seed = seed;
        this.points = points;
    }

    /** Parses a specification; throws IllegalArgumentException with a one-line reason. */
    public static Preemption parse(String spec) {
        String[] p = spec.split(":");
        try {
            switch (p[0]) {
                case "every" -> {
                    long n = Long.parseLong(p[1]);
                    if (n < 1 || p.length != 2) {
                        throw new IllegalArgumentException("every:N needs N >= 1");
                    }
                    return new Preemption(Mode.EVERY, n, 0, null);
                }
                case "random" -> {
                    long seed = Long.parseLong(p[1]);
                    long max = p.length > 2 ? Long.parseLong(p[2]) : 100;
                    if (max < 1 || p.length > 3) {
                        throw new IllegalArgumentException("random:SEED[:MAX] needs MAX >= 1");
                    }
                    return new Preemption(Mode.RANDOM, max, seed, null);
                }
                case "at" -> {
                    String[] parts = p[1].split(",");
                    long[] pts = new long[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        pts[i] = Long.parseLong(parts[i].strip());
                        if (pts[i] < 1 || (i > 0 && pts[i] <= pts[i - 1])) {
                            throw new IllegalArgumentException("at:N1,N2,... needs increasing counts >= 1");
                        }
                    }
                    return new Preemption(Mode.AT, 0, 0, pts);
                }
                default -> throw new IllegalArgumentException("unknown preemption mode " + p[0]);
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("bad preemption spec '" + spec
                    + "': use every:N, random:SEED[:MAX] or at:N1,N2,...");
        }
    }

    /** Per-thread state: where the next forced preemption falls (in the thread's retired-instruction count). */
    final class Cursor {
        private final SplittableRandom random;
        private int index;
        long next;

        Cursor(int tid) {
            random = mode == Mode.RANDOM ? new SplittableRandom(seed * 1_000_003L + tid) : null;
            next = advance(0);
        }

        /** The next preemption point after {@code now}, or Long.MAX_VALUE for none. */
        long advance(long now) {
            next = switch (mode) {
                case EVERY -> now + n;
                case RANDOM -> now + 1 + random.nextLong(n);
                case AT -> {
                    while (index < points.length && points[index] <= now) {
                        index++;
                    }
                    yield index < points.length ? points[index] : Long.MAX_VALUE;
                }
            };
            return next;
        }
    }

    Cursor cursor(int tid) {
        return new Cursor(tid);
    }
}
