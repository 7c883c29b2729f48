package gmpj.bench;

import gmpj.bench.BenchReport.Interval;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The reports' ratio chart, a PNG: one horizontal bar per ratio on a log scale centred on 1, green
 * on the side of 1 where gmpj is faster, red on the other; each ratio's interval as a whisker, its
 * target as a blue tick. {@link BenchReport} draws gmpj / baseline with it, {@link ScalingReport}
 * gmpj / virtual threads at each processor count. Also the canvas and the PNG writing that
 * {@link ScalingChart} shares. Runs headless; the only class of a report that needs
 * {@code java.desktop}, with {@link ScalingChart}.
 */
final class RatioChart {
    /** One bar: its label, the ratio, the ratio's interval, and a target (NaN for none). */
    record Bar(String label, double value, Interval interval, double target) {}

    static {
        System.setProperty("java.awt.headless", "true"); // before AWT looks for a display
    }

    private RatioChart() {}

    /**
     * Draws {@code bars} under {@code title} into {@code png}; {@code lowerIsBetter}: whether a
     * ratio below 1 is gmpj's win (a ratio of times) or its loss (a ratio of throughputs).
     */
    static void draw(String title, List<Bar> bars, boolean lowerIsBetter, Path png) throws IOException {
        int rowH = 26;
        int top = 50;
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        int labelW = 560;
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        for (Bar b : bars) {
            labelW = Math.max(labelW, pg.getFontMetrics(labelFont).stringWidth(b.label) + 30);
        }
        pg.dispose();
        int plotW = 520;
        int valueX = labelW + plotW + 10; // the ratios' column, right of the plot
        int w = valueX + 50;
        int h = top + Math.max(1, bars.size()) * rowH + 50;
        BufferedImage img = canvas(w, h);
        Graphics2D g = img.createGraphics();
        smooth(g);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 22);
        double maxLog = 1;
        for (Bar b : bars) {
            maxLog = Math.max(maxLog, Math.ceil(Math.abs(Math.log10(b.value))));
        }
        int x1 = labelW + plotW / 2;
        double perDecade = (plotW / 2.0) / maxLog;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int d = (int) -maxLog; d <= maxLog; d++) {
            int x = (int) (x1 + d * perDecade);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top - 8, x, top + bars.size() * rowH);
            g.setColor(Color.DARK_GRAY);
            String t = d >= 0 ? String.valueOf((long) Math.pow(10, d)) : String.valueOf(Math.pow(10, d));
            g.drawString(t + "x", x - 10, top + bars.size() * rowH + 16);
        }
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = top + i * rowH;
            int x = (int) (x1 + Math.log10(b.value) * perDecade);
            g.setColor((b.value <= 1) == lowerIsBetter ? new Color(60, 160, 90) : new Color(205, 70, 60));
            g.fillRect(Math.min(x, x1), y + 4, Math.max(1, Math.abs(x - x1)), rowH - 8);
            if (!Double.isNaN(b.target)) {
                int tx = (int) (x1 + Math.log10(b.target) * perDecade);
                g.setColor(Color.BLUE);
                g.setStroke(new BasicStroke(2));
                g.drawLine(tx, y + 1, tx, y + rowH - 1);
                g.setStroke(new BasicStroke(1));
            }
            if (b.interval.known()) {
                int lo = plotX(b.interval.low(), x1, perDecade, labelW, plotW);
                int hi = plotX(b.interval.high(), x1, perDecade, labelW, plotW);
                int mid = y + rowH / 2;
                g.setColor(Color.BLACK);
                g.drawLine(lo, mid, hi, mid);
                g.drawLine(lo, mid - 4, lo, mid + 4);
                g.drawLine(hi, mid - 4, hi, mid + 4);
            }
            g.setColor(Color.BLACK);
            g.setFont(labelFont);
            g.drawString(b.label, 10, y + rowH - 9);
            g.drawString(String.format(Locale.ROOT, "%.2f", b.value), valueX, y + rowH - 9);
        }
        g.setColor(Color.BLACK);
        g.drawLine(x1, top - 8, x1, top + bars.size() * rowH);
        g.setColor(Color.BLUE);
        g.drawString("blue tick: the project's target; black whisker: the ratio's interval (cut at the plot's edge)", 10, h - 12);
        g.dispose();
        write(img, png);
    }

    /** Where {@code ratio} falls on the chart's log scale, kept inside the plot (0 and infinity at its edges). */
    private static int plotX(double ratio, int x1, double perDecade, int labelW, int plotW) {
        double x = ratio <= 0 ? Double.NEGATIVE_INFINITY : x1 + Math.log10(ratio) * perDecade;
        return (int) Math.max(labelW, Math.min(labelW + plotW, x));
    }

    /** A white RGB image of {@code w × h}. */
    static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    /** Anti-aliased shapes and text. */
    static void smooth(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    }

    /** Writes {@code img} as a PNG, creating the folder it goes in. */
    static void write(BufferedImage img, Path png) throws IOException {
        if (png.toAbsolutePath().getParent() != null) {
            Files.createDirectories(png.toAbsolutePath().getParent());
        }
        ImageIO.write(img, "png", png.toFile());
    }
}
