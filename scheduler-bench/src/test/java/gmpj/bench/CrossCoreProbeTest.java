package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CrossCoreProbe} appends what it measured to the machine file, under the keys the report
 * reads, beside what is already there; it says nothing about how fast this machine is.
 */
class CrossCoreProbeTest {

    @TempDir
    Path dir;

    @Test
    void itAppendsAMeasuredRoundTripUnderTheKeyItWasGiven() throws Exception {
        Path file = Files.writeString(dir.resolve("machine.properties"), "nproc=2\n");
        CrossCoreProbe.main(new String[] {file.toString(), "start"});
        CrossCoreProbe.main(new String[] {file.toString(), "end"});
        Properties p = JmhResults.machine(file);
        assertEquals("2", p.getProperty("nproc"));
        for (String key : new String[] {"crosscore.start.ns", "crosscore.end.ns"}) {
            String v = p.getProperty(key);
            if (Runtime.getRuntime().availableProcessors() < 2) {
                assertEquals("n/a", v, key);
            } else {
                assertTrue(Double.parseDouble(v) > 0, key + "=" + v);
            }
        }
        assertTrue(p.getProperty("crosscore.method").contains("not pinned"), p.toString());
    }

    @Test
    void aWhenThatIsNotAWordIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossCoreProbe.main(new String[] {dir.resolve("m").toString(), "x=1"}));
        assertTrue(e.getMessage().contains("'x=1'"), e.getMessage());
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(3.0, CrossCoreProbe.median(new double[] {9, 1, 3}));
        assertEquals(2.5, CrossCoreProbe.median(new double[] {4, 1, 2, 3}));
    }
}
