package gmpj.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gmpj.core.Gmp;
import gmpj.core.Synctest;
import gmpj.testing.SynctestTest;
import org.junit.jupiter.api.Test;

/** The README's deterministic-testing example, compiled and run: the bug, its message, its replay, and the race it misses. */
class ReadmeSynctestExampleTest {

    /** Two withdrawals of the whole balance: check, park on a receive, act on the stale check. */
    static final Runnable TWO_WITHDRAWALS = () -> {
        int[] balance = {100};
        Chan<Boolean> approvals = new Chan<>(2);
        WaitGroup wg = new WaitGroup();
        Runnable withdraw = () -> {
            if (balance[0] >= 100) {      // check
                approvals.receive();      // park: the other goroutine may run here
                balance[0] -= 100;        // act on a stale check
            }
        };
        wg.go(Gmp.currentScheduler(), withdraw);
        wg.go(Gmp.currentScheduler(), withdraw);
        approvals.send(true);
        approvals.send(true);
        wg.await();
        assertEquals(0, balance[0]);
    };

    @Test
    void theExplorerFindsTheBugAndNamesTheSeedThatReplaysIt() {
        AssertionError found = assertThrows(AssertionError.class, () -> Synctest.explore(100, TWO_WITHDRAWALS));
        assertEquals("failed under seed 0 (seed 0 (random walk)), the 1st of 100 seeds; replay it with Synctest.run(0, body): "
                + "goroutine 1 failed after 7 scheduling steps under seed 0 (random walk) on 2 emulated processors "
                + "(replay: Synctest.run(0, body)): "
                + "org.opentest4j.AssertionFailedError: expected: <0> but was: <-100>", found.getMessage());
        AssertionError replayed = assertThrows(AssertionError.class, () -> Synctest.run(0, TWO_WITHDRAWALS));
        assertEquals(found.getCause().getMessage(), replayed.getMessage());
    }

    @SynctestTest(seeds = 100)
    void aRaceInStraightLineCodeIsNotFound() {
        int[] counter = {0};
        WaitGroup wg = new WaitGroup();
        for (int g = 0; g < 2; g++) {
            wg.go(Gmp.currentScheduler(), () -> {
                for (int i = 0; i < 10_000; i++) {
                    counter[0]++;         // no scheduling point: each loop runs whole
                }
            });
        }
        wg.await();
        assertEquals(20_000, counter[0]); // passes under every seed; jcstress finds this race
    }
}
