package gmpj.testing;

import gmpj.core.Synctest;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test whose method body runs as the first goroutine of a {@link Synctest} bubble, once
 * per seed: Go's {@code synctest.Test(t, func(t *testing.T) {...})} plus the seed explorer.
 *
 * <pre>
 * &#64;SynctestTest(seeds = 100)                  // Synctest.explore(100, body)
 * void launchOrder() {
 *     Chan&lt;String&gt; c = new Chan&lt;&gt;(2);
 *     Gmp.currentScheduler().go(() -&gt; c.send("A"));
 *     Gmp.currentScheduler().go(() -&gt; c.send("B"));
 *     assertEquals("A", c.receive().value());  // fails under some seed, which the failure names
 * }
 *
 * &#64;SynctestTest(seeds = 1, seed = 2)          // Synctest.run(2, body): replays that seed
 * void launchOrderReplayed() { ... }
 * </pre>
 *
 * <p>The method is invoked once per seed, on the same test instance, after {@code @BeforeEach} has
 * run once: state that each seed needs fresh is made in the method's body. The body is a goroutine
 * that the test's own thread drives: {@link gmpj.core.Gmp#currentScheduler()} is the bubble's
 * scheduler, and every goroutine started there, directly or not, has finished when a seed's run
 * returns. A failure (an
 * assertion in any goroutine of the bubble, or a deadlock) ends the test with the seed that found
 * it and the call that replays it; its cause chain ends at the original exception.
 *
 * <p>The test's thread drives the bubble, so the method must not itself be called from a goroutine
 * (JUnit never does). Inside the body everything is a goroutine: waits park and only virtual time
 * passes, while a plain thread that the body starts and that wakes a goroutine of the bubble (a
 * send on its channel, an unlock) gets an {@link IllegalStateException}, as {@link Synctest}
 * describes.
 *
 * <p>Needs {@code junit-jupiter-api} on the test class path; gmpj's core depends on it optionally,
 * so a program that does not use this annotation does not get JUnit.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(GoroutineTestExtension.class)
public @interface SynctestTest {
    /**
     * How many seeds to run: {@code 0 .. seeds - 1} ({@link Synctest#explore}); with {@code 1}, the
     * single seed {@link #seed()} ({@link Synctest#run(long, Runnable)}). At least 1.
     *
     * @return the number of seeds
     */
    int seeds() default 100;

    /**
     * The seed to replay; only with {@code seeds = 1}.
     *
     * @return the seed
     */
    long seed() default Synctest.DEFAULT_SEED;
}
