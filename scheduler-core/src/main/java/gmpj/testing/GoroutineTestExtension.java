package gmpj.testing;

import gmpj.core.Synctest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Runs a {@link SynctestTest} method's body in {@link Synctest} bubbles: under
 * {@link Synctest#explore} for {@code seeds} seeds, or under {@link Synctest#run(long, Runnable)}
 * for the one seed a {@code seeds = 1} test names. A method without {@link SynctestTest} runs as
 * usual.
 *
 * <p>JUnit's own invocation of the method is skipped: the method is invoked reflectively from the
 * bubble's first goroutine, once per seed, so that the body runs on the bubble's scheduler. What the
 * method throws is unwrapped from the reflective call and escapes the goroutine as itself, so the
 * bubble's failure has it as its cause.
 *
 * <p>Stateless: one instance may serve any number of tests. Each test method's bubble is driven by the thread JUnit invokes the method on, which
 * is busy (blocked, as far as JUnit can tell) until every seed has run; the method's body runs as
 * a goroutine, so its waits park it in the bubble and move the bubble's virtual clock instead of
 * blocking a thread.
 */
public final class GoroutineTestExtension implements InvocationInterceptor {

    /** Made by JUnit through {@link org.junit.jupiter.api.extension.ExtendWith}. */
    public GoroutineTestExtension() {
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) {
        Method method = invocationContext.getExecutable();
        SynctestTest settings = method.getAnnotation(SynctestTest.class);
        if (settings == null) {
            proceed(invocation);
            return;
        }
        int seeds = settings.seeds();
        if (seeds < 1) {
            throw new IllegalArgumentException("@SynctestTest(seeds = " + seeds + ") on " + method.getName()
                    + ": seeds must be at least 1");
        }
        if (seeds > 1 && settings.seed() != Synctest.DEFAULT_SEED) {
            throw new IllegalArgumentException("@SynctestTest(seeds = " + seeds + ", seed = " + settings.seed() + ") on "
                    + method.getName() + ": seed names the one seed to replay, so it needs seeds = 1 (seeds > 1 explores"
                    + " seeds 0 .. seeds - 1)");
        }
        Object target = invocationContext.getTarget().orElse(null);
        List<Object> arguments = invocationContext.getArguments();
        method.setAccessible(true);
        Runnable body = () -> invoke(method, target, arguments.toArray());
        invocation.skip();
        if (seeds == 1) {
            Synctest.run(settings.seed(), body);
        } else {
            Synctest.explore(seeds, body);
        }
    }

    private static void proceed(Invocation<Void> invocation) {
        try {
            invocation.proceed();
        } catch (Throwable t) {
            throw sneaky(t);
        }
    }

    /** Calls the test method; what it throws comes out as itself, not as an InvocationTargetException. */
    private static void invoke(Method method, Object target, Object[] arguments) {
        try {
            method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw sneaky(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call test method " + method + ": " + e.getMessage(), e);
        }
    }

    /** Throws {@code t} as it is, checked or not (the test method may declare checked exceptions). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
