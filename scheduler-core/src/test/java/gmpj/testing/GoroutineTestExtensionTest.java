package gmpj.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Synctest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;

/** {@link SynctestTest} run by JUnit, and {@link GoroutineTestExtension} called directly on bodies that fail. */
class GoroutineTestExtensionTest {

    /** Invocations of this test's body: one instance per test method, so one count per test. */
    private int runs;

    @AfterEach
    void theBodyRanOncePerSeed(TestInfo info) {
        SynctestTest settings = info.getTestMethod().orElseThrow().getAnnotation(SynctestTest.class);
        if (settings != null) {
            assertEquals(settings.seeds(), runs, "invocations of " + info.getDisplayName());
        }
    }

    @SynctestTest(seeds = 25)
    void theBodyRunsInABubbleOnVirtualTimeOncePerSeed() {
        runs++;
        assertTrue(Synctest.inBubble());
        Scheduler s = Gmp.currentScheduler();
        List<Duration> woke = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int hours = i;
            s.go(() -> {
                Gmp.sleep(Duration.ofHours(hours));
                woke.add(Synctest.elapsed());
            });
        }
        Gmp.sleep(Duration.ofHours(4));
        assertEquals(List.of(Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(3)), woke);
    }

    @SynctestTest(seeds = 1, seed = 7)
    void oneSeedRunsOnce() {
        runs++;
        assertTrue(Synctest.inBubble());
    }

    @Test
    void aFailingBodyReportsTheSeedWithTheOriginalAssertionAsTheRootCause() {
        Recorded r = new Recorded();
        AssertionError e = assertThrows(AssertionError.class, () -> intercept("launchOrder", r));
        assertTrue(e.getMessage().startsWith("failed under seed " + Fixtures.LAUNCH_ORDER_SEED + " "), e.getMessage());
        assertTrue(e.getMessage().contains("Synctest.run(" + Fixtures.LAUNCH_ORDER_SEED + ", body)"), e.getMessage());
        Throwable root = rootCause(e);
        assertTrue(root instanceof AssertionFailedError, String.valueOf(root));
        assertEquals("started A, then B ==> expected: <[A, B]> but was: <[B, A]>", root.getMessage());
        assertTrue(r.skipped && !r.proceeded, "JUnit's own invocation is skipped, not run");

        AssertionError replayed = assertThrows(AssertionError.class, () -> intercept("launchOrderReplayed", new Recorded()));
        assertEquals(e.getCause().getMessage(), replayed.getMessage(), "seeds = 1, seed = S replays the failure exactly");
    }

    @Test
    void aCheckedExceptionComesOutAsItselfNotWrappedInTheReflectiveCall() {
        AssertionError e = assertThrows(AssertionError.class, () -> intercept("throwsChecked", new Recorded()));
        Throwable root = rootCause(e);
        assertTrue(root instanceof IOException && root.getMessage().equals("disk gone"), String.valueOf(root));
        assertSame(root, e.getCause().getCause(), "run's failure is caused by the method's own exception");
    }

    @Test
    void aMethodWithoutTheAnnotationRunsAsUsual() throws Throwable {
        Recorded r = new Recorded();
        intercept("plain", r);
        assertTrue(r.proceeded && !r.skipped);
    }

    @Test
    void aBadSeedCountOrASeedWithManySeedsIsRefusedNamingTheValues() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> intercept("noSeeds", new Recorded()));
        assertTrue(none.getMessage().contains("seeds = 0") && none.getMessage().contains("noSeeds"), none.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> intercept("seedWithManySeeds", new Recorded()));
        assertTrue(both.getMessage().contains("seeds = 5, seed = 3") && both.getMessage().contains("seeds = 1"),
                both.getMessage());
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Whether the extension ran or skipped JUnit's own invocation. */
    private static final class Recorded implements Invocation<Void> {
        boolean proceeded;
        boolean skipped;

        @Override
        public Void proceed() {
            assertFalse(proceeded || skipped);
            proceeded = true;
            return null;
        }

        @Override
        public void skip() {
            assertFalse(proceeded || skipped);
            skipped = true;
        }
    }

    /** Calls the extension as JUnit would for {@code Fixtures.name()}. */
    private static void intercept(String name, Recorded invocation) throws Throwable {
        Method method = Fixtures.class.getDeclaredMethod(name);
        Fixtures target = new Fixtures();
        new GoroutineTestExtension().interceptTestMethod(invocation, new ReflectiveInvocationContext<>() {
            @Override
            public Class<?> getTargetClass() {
                return Fixtures.class;
            }

            @Override
            public Method getExecutable() {
                return method;
            }

            @Override
            public List<Object> getArguments() {
                return List.of();
            }

            @Override
            public Optional<Object> getTarget() {
                return Optional.of(target);
            }
        }, null);
    }

    /** Test bodies that the tests above hand to the extension themselves; JUnit does not run them. */
    @Disabled("bodies for GoroutineTestExtensionTest, which calls the extension on them directly")
    static final class Fixtures {
        /** The first seed under which {@link #launchOrder} fails. */
        static final long LAUNCH_ORDER_SEED = 2;

        @SynctestTest(seeds = 40)
        void launchOrder() {
            Scheduler s = Gmp.currentScheduler();
            List<String> order = new ArrayList<>();
            s.go(() -> order.add("A"));
            s.go(() -> order.add("B"));
            Gmp.sleep(Duration.ofSeconds(1));
            assertEquals(List.of("A", "B"), order, "started A, then B");
        }

        @SynctestTest(seeds = 1, seed = LAUNCH_ORDER_SEED)
        void launchOrderReplayed() {
            launchOrder();
        }

        @SynctestTest(seeds = 3)
        void throwsChecked() throws IOException {
            throw new IOException("disk gone");
        }

        void plain() {
        }

        @SynctestTest(seeds = 0)
        void noSeeds() {
        }

        @SynctestTest(seeds = 5, seed = 3)
        void seedWithManySeeds() {
        }
    }
}
