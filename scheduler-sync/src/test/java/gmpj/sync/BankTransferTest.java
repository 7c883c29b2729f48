package gmpj.sync;

import static gmpj.sync.SyncTestSupport.runTogether;
import static gmpj.sync.SyncTestSupport.scheduler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The classic bank-transfer program: one mutex per account, transfers lock both accounts in id
 * order (no deadlock), auditors lock every account and check that money is neither made nor lost.
 */
class BankTransferTest {

    private static final int ACCOUNTS = 10;
    private static final long INITIAL = 1_000;

    private static final class Account {
        final Mutex mu = new Mutex();
        long balance = INITIAL; // guarded by mu
    }

    @ParameterizedTest(name = "procs={0}")
    @ValueSource(ints = {1, 2, 4})
    void transfersBetweenAccountsKeepTheTotalConstant(int procs) {
        Account[] accounts = new Account[ACCOUNTS];
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts[i] = new Account();
        }
        AtomicReference<String> badAudit = new AtomicReference<>();
        try (Scheduler s = scheduler("bank", procs)) {
            // 40 goroutine tellers, 2 goroutine auditors; 2 thread tellers, 1 thread auditor.
            runTogether(s, 42, 3, i -> {
                boolean auditor = i == 40 || i == 41 || i == 44;
                SplittableRandom rnd = new SplittableRandom(i);
                for (int n = 0; n < 200; n++) {
                    if (auditor) {
                        long total = audit(accounts);
                        if (total != ACCOUNTS * INITIAL) {
                            badAudit.compareAndSet(null, "audit " + n + " of auditor " + i + " saw " + total);
                        }
                    } else {
                        int from = rnd.nextInt(ACCOUNTS);
                        int to = rnd.nextInt(ACCOUNTS - 1);
                        to = to >= from ? to + 1 : to;
                        transfer(accounts[from], accounts[to], from < to, 1 + rnd.nextInt(50));
                    }
                }
            });
        }
        assertNull(badAudit.get());
        long total = 0;
        for (Account a : accounts) {
            total += a.balance;
        }
        assertEquals(ACCOUNTS * INITIAL, total);
    }

    private static void transfer(Account from, Account to, boolean fromFirst, long amount) {
        Account first = fromFirst ? from : to;
        Account second = fromFirst ? to : from;
        first.mu.lock();
        try {
            second.mu.lock();
            try {
                if (from.balance >= amount) {
                    from.balance -= amount;
                    Gmp.yield(); // money in flight: an auditor that could look now would see it missing
                    to.balance += amount;
                }
            } finally {
                second.mu.unlock();
            }
        } finally {
            first.mu.unlock();
        }
    }

    private static long audit(Account[] accounts) {
        for (Account a : accounts) {
            a.mu.lock();
        }
        try {
            long total = 0;
            for (Account a : accounts) {
                total += a.balance;
            }
            return total;
        } finally {
            for (Account a : accounts) {
                a.mu.unlock();
            }
        }
    }
}
