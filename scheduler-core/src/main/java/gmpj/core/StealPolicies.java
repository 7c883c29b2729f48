package gmpj.core;

import java.util.List;

/** The built-in {@link StealPolicy} implementations. */
final class StealPolicies {
    private StealPolicies() {}

    static final StealPolicy GO = new RandomOrder("go", false);
    static final StealPolicy STEAL_ONE = new RandomOrder("steal-one", true);
    static final StealPolicy ROUND_ROBIN = new RoundRobin();
    static final StealPolicy LONGEST_FIRST = new LongestQueueFirst();
    static final StealPolicy NONE = new None();
    static final List<StealPolicy> ALL = List.of(GO, STEAL_ONE, ROUND_ROBIN, LONGEST_FIRST, NONE);

    static int half(int queued) {
        return queued - queued / 2;
    }

    /**
     * Go's {@code randomOrder}: start at a random processor and step by a random increment coprime
     * with {@code procs}, which visits every processor exactly once in a different order each time.
     */
    static final class RandomOrder implements StealPolicy {
        private final String name;
        private final boolean one;
        /** Coprimes of the last procs seen; a record so its final fields make racy publication safe. */
        private Coprimes coprimes = new Coprimes(0, new int[0]);

        private record Coprimes(int count, int[] values) {}

        RandomOrder(String name, boolean one) {
            this.name = name;
            this.one = one;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int order(int thief, Victims victims, int[] out) {
            int count = victims.count();
            if (count < 2) {
                return 0;
            }
            Coprimes c = coprimes;
            if (c.count != count) {
                c = new Coprimes(count, coprimesOf(count));
                coprimes = c;
            }
            int r = victims.nextInt(Integer.MAX_VALUE);
            int pos = r % count;
            int inc = c.values[(r / count) % c.values.length];
            int k = 0;
            for (int i = 0; i < count; i++) {
                pos = (pos + inc) % count;
                if (pos != thief) {
                    out[k++] = pos;
                }
            }
            return k;
        }

        private static int[] coprimesOf(int n) {
            int[] tmp = new int[n];
            int k = 0;
            for (int i = 1; i <= n; i++) {
                if (gcd(i, n) == 1) {
                    tmp[k++] = i;
                }
            }
            return java.util.Arrays.copyOf(tmp, k);
        }

        private static int gcd(int a, int b) {
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return a;
        }

        @Override
        public int amount(int queued) {
            return one ? 1 : half(queued);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final class RoundRobin implements StealPolicy {
        @Override
        public String name() {
            return "round-robin";
        }

        @Override
        public int order(int thief, Victims victims, int[] out) {
            int count = victims.count();
            for (int i = 1; i < count; i++) {
                out[i - 1] = (thief + i) % count;
            }
            return Math.max(0, count - 1);
        }

        @Override
        public int amount(int queued) {
            return half(queued);
        }

        @Override
        public String toString() {
            return name();
        }
    }

    static final class LongestQueueFirst implements StealPolicy {
        @Override
        public String name() {
            return "longest-queue-first";
        }

        /** Insertion sort by a racy length snapshot; the lengths may move, the order is a hint. */
        @Override
        public int order(int thief, Victims victims, int[] out) {
            int count = victims.count();
            int k = 0;
            for (int p = 0; p < count; p++) {
                if (p == thief) {
                    continue;
                }
                int len = victims.queueLength(p);
                int j = k++;
                while (j > 0 && victims.queueLength(out[j - 1]) < len) {
                    out[j] = out[j - 1];
                    j--;
                }
                out[j] = p;
            }
            return k;
        }

        @Override
        public int amount(int queued) {
            return half(queued);
        }

        @Override
        public String toString() {
            return name();
        }
    }

    static final class None implements StealPolicy {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public int rounds() {
            return 0;
        }

        @Override
        public int order(int thief, Victims victims, int[] out) {
            return 0;
        }

        @Override
        public int amount(int queued) {
            return 0;
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
