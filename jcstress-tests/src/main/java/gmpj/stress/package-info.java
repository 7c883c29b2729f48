/**
 * jcstress tests of gmpj's public API, and two deliberately racy examples that show what a
 * jcstress result looks like when the code under test is wrong.
 *
 * <p>Tests of package-private internals (the run queue, G's park protocol, timers) live in package
 * {@code gmpj.core} of this module, which reaches them by sharing the package on the class path.
 *
 * <p>Each test names the behaviour it checks. Its {@code @Outcome} lines list every result it may
 * print: ACCEPTABLE (correct), ACCEPTABLE_INTERESTING (correct but worth a look: a rare
 * interleaving, or the bug a teaching example is about) and FORBIDDEN (a bug). Run them with
 * {@code jcstress-tests/run-stress.sh}.
 */
package gmpj.stress;
