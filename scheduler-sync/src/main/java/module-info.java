/**
 * Go's synchronisation for goroutines ({@link gmpj.sync}): channels and select, mutexes,
 * condition variables, wait groups, once, semaphores, contexts and error groups.
 */
module gmpj.sync {
    exports gmpj.sync;

    requires transitive gmpj.core;
}
