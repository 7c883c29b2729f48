package gmpj.bench;

import java.lang.management.ManagementFactory;
import jdk.management.VirtualThreadSchedulerMXBean;

/**
 * Sets the parallelism of the JDK's virtual-thread scheduler, so that a virtual-thread baseline
 * runs on as many carriers as the gmpj scheduler it is compared with has processors.
 *
 * <p>Uses {@link VirtualThreadSchedulerMXBean} (JDK 24+), which, unlike the
 * {@code jdk.virtualThreadScheduler.parallelism} property, works after JVM start and so can follow
 * a JMH {@code @Param}.
 */
public final class VirtualThreadScheduler {
    private VirtualThreadScheduler() {}

    /** Sets the parallelism and checks that the JDK took it. */
    public static void parallelism(int carriers) {
        VirtualThreadSchedulerMXBean bean = ManagementFactory.getPlatformMXBean(VirtualThreadSchedulerMXBean.class);
        bean.setParallelism(carriers);
        if (bean.getParallelism() != carriers) {
            throw new IllegalStateException("the virtual-thread scheduler kept parallelism " + bean.getParallelism()
                    + " instead of " + carriers + "; the baseline would not be comparable");
        }
    }
}
