package gmpj.core;

import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The slot protocol of {@link PollDesc} (see its class comment), driven by hand: a waiter arming on
 * the read side races the poller reporting the channel readable. The waiter does what
 * {@code PollDesc.await} does once its try found nothing: take the token if the slot holds one
 * ({@link PollDesc#takeToken}), else arm ({@link PollDesc#arm}, the CAS of {@code armAndPark}), and
 * go round if the arm failed because a token arrived meanwhile. It stops short of the park: an armed
 * waiter would park, and a park only ends when the poller hands the waiter over. The poller is
 * {@link PollDesc#fired}, what every select calls for a ready key: it swaps an armed waiter out and
 * hands it over, or leaves the token.
 *
 * <p>The descriptor's channel is registered with no selector ({@link Fixtures#pollDesc}): the slot
 * protocol never touches the key, and the interest the real waiter adds before it arms only
 * decides whether a select reports the channel, which here the poller actor does by itself.
 *
 * <p>Checked against broken code: with {@code fire} leaving its token by a check and a store instead
 * of a CAS it reports the forbidden {@code 2, 0, 1} (the armed waiter overwritten), and with
 * {@code arm} storing the waiter without checking that the slot is still empty, {@code 2, 0, 2}
 * (the token overwritten); see {@code docs/jcstress-mutants.md} for the counts.
 */
@JCStressTest
@Description("A PollDesc whose read slot is empty (no waiter, no token). A waiter, as PollDesc.await after a try that "
        + "read nothing: if the slot holds the READY token it takes it (CAS READY -> null) and returns; else it arms "
        + "(CAS null -> itself) and would park; if the arm fails (a token arrived since it looked) it goes round. "
        + "Meanwhile the poller reports the channel readable (PollDesc.fired, as every select does for a ready key): "
        + "it swaps an armed waiter out of the slot (CAS waiter -> null) and hands it over to be readied, or leaves "
        + "the token (CAS null -> READY). Exactly one of them must deliver the readiness. "
        + "Result: the waiter's step (1 took the token, 2 armed), how many waiters the poller handed over, what the "
        + "slot holds afterwards (0 nothing, 1 the token, 2 the waiter).")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE,
        desc = "The poller came first and left the token; the waiter took it and does not park.")
@Outcome(id = "2, 1, 0", expect = ACCEPTABLE,
        desc = "The waiter armed first; the poller swapped it out and handed it over: its park ends.")
@Outcome(id = "2, 0, 2", expect = FORBIDDEN,
        desc = "Lost wake-up: the waiter armed and parks, and the readiness did not reach it (the token it armed over, "
                + "or a poller that missed it).")
@Outcome(id = "2, 0, 1", expect = FORBIDDEN,
        desc = "The poller overwrote the armed waiter with the token: nobody hands it over, so a waiter already "
                + "parked stays parked, and the token is left for a wait that has not begun.")
@Outcome(id = "2, 1, 1", expect = FORBIDDEN, desc = "Both: the waiter handed over and a token left behind.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome: exactly one notification, and nothing left in the slot.")
@State
public class PollReadyRacingArmWakesOnce {
    private static final Scheduler S = Fixtures.unstarted(1);
    private static final Netpoll NP = Fixtures.netpoll(S);

    private final PollDesc pd = Fixtures.pollDesc(S, NP);
    private final G waiter = Fixtures.g(1);
    private final List<Waiter> handedOver = new ArrayList<>(2);
    private int step;

    @Actor
    public void waiter() {
        for (;;) {
            if (pd.takeToken(true)) {
                step = 1;
                return;
            }
            if (pd.arm(true, waiter)) {
                step = 2;
                return;
            }
        }
    }

    @Actor
    public void poller() {
        pd.fired(SelectionKey.OP_READ, handedOver);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = step;
        int n = 0;
        for (Waiter w : handedOver) {
            n += w == waiter ? 1 : 10;
        }
        r.r2 = n;
        r.r3 = pd.takeToken(true) ? 1 : pd.mustPark(true, waiter) ? 2 : 0;
    }
}
