package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The spinning count must equal the carriers that spin. {@link Idle#wakep} counts a spinning role
 * (a CAS from 0) and then, under the idle lock, picks a carrier to hand it to. In between, the
 * carrier it picks may have stopped spinning (the 0 wakep saw), found work, counted itself
 * spinning again and gone idle once more. Handing the role by setting that carrier's flag gave one
 * flag two counts; once the carrier stopped spinning the count kept a role nobody had, every later
 * {@link Idle#wakeIfIdle} saw a spinner that did not exist, and a goroutine submitted from outside
 * waited for ever with every carrier asleep (found by the uneven-work benchmark under the
 * {@code none} steal policy, whose spinning carrier goes round that loop all the time).
 *
 * <p>Driven by hand on a scheduler whose threads never start: the test holds the idle lock so that
 * a submitter's wakep stops between its count and its choice, arranges the carrier's state as it
 * is after the loop above, then lets wakep finish. (With wakep setting the carrier's flag instead
 * of {@link M#handedSpinning}, as before the fix, the count ends at 1 with no carrier spinning.)
 */
class SpinningRoleTest {

    @Test
    void aRoleHandedToACarrierThatSpinsAgainIsNotCountedTwice() throws InterruptedException {
        Scheduler s = Scheduler.builder().procs(2).buildUnstarted();
        P p1 = s.ps[1];
        M m1 = p1.m;
        // Processor 1 idle, nobody spinning; processor 0 busy.
        assertTrue(s.idle.park(p1));
        assertEquals(Idle.ONE_IDLE, s.idle.lvWord());

        // A submitter's wakep counts its role, then waits for the idle lock, which we hold.
        Thread submitter;
        s.idle.lock.lock();
        try {
            submitter = Thread.ofPlatform().name("submitter").start(s.idle::wakeIfIdle);
            TestSupport.spinUntil(() -> Idle.spinningOf(s.idle.lvWord()) == 1, "wakep to count its spinning role");
            // Meanwhile carrier 1 found work, took its processor back, counted itself spinning
            // again, found nothing, and put its processor on the idle set once more: what
            // Idle.stopSpinningAndRecheck and Idle.park do, written out here under the lock we hold.
            m1.spinning = true;
            s.idle.getAndAddWord(Idle.ONE_SPINNING);
        } finally {
            s.idle.lock.unlock();
        }
        submitter.join();
        assertFalse(s.idle.isIdle(p1), "wakep took processor 1 off the idle set");

        // Carrier 1 goes on with going idle: it stops spinning and re-checks (no work anywhere), then
        // finds its processor taken and takes the role wakep handed it.
        assertFalse(s.idle.stopSpinningAndRecheck(m1));
        s.idle.wokeUp(m1);

        int flags = (s.ps[0].m.spinning ? 1 : 0) + (m1.spinning ? 1 : 0);
        assertEquals(flags, s.idle.spinningCount(), "spinning count against the carriers that spin");
        assertEquals(1, flags, "carrier 1 spins, with the role wakep handed it");
    }
}
