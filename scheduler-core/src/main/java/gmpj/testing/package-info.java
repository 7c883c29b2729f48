/**
 * JUnit 5 support for deterministic goroutine tests: {@link gmpj.testing.SynctestTest} runs a test
 * method's body in {@link gmpj.core.Synctest} bubbles under many seeds, or replays one.
 *
 * <p>JUnit is an optional dependency of gmpj's core: add {@code junit-jupiter-api} (a test's usual
 * dependency) to use this package; nothing else in gmpj needs it.
 */
package gmpj.testing;
