package gmpj.bench;

import gmpj.bench.ScalingReport.Row;
import gmpj.bench.ScalingReport.Table;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;

/**
 * {@link ScalingReport}'s speed-up chart, a PNG: one panel per workload, speed-up over 1 processor
 * against processors, both on log-2 scales; gmpj as a solid line, virtual threads dashed, the ideal
 * (speed-up = processors) dotted, and the counts beyond the machine's cores shaded, since their
 * points are a smoke test and not a measure of scaling. Drawn on {@link RatioChart}'s canvas.
 */
final class ScalingChart {
    private static final Color GMPJ = new Color(40, 90, 200);
    private static final Color VIRTUAL_THREADS = new Color(220, 120, 30);
    private static final int PANEL_W = 330;
    private static final int PANEL_H = 280;
    private static final int COLUMNS = 3;

    private ScalingChart() {}

    /** Draws the speed-ups of {@code tables} on a machine of {@code cores} cores (0: unknown) into {@code png}. */
    static void draw(List<Table> tables, int cores, Path png) throws IOException {
        int rows = Math.max(1, (tables.size() + COLUMNS - 1) / COLUMNS);
        int top = 60;
        int w = COLUMNS * PANEL_W + 20;
        int h = top + rows * PANEL_H + 20;
        BufferedImage img = RatioChart.canvas(w, h);
        Graphics2D g = img.createGraphics();
        RatioChart.smooth(g);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Speed-up over 1 processor (log-log)", 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        legend(g, 10, 42, GMPJ, solid(), "gmpj");
        legend(g, 90, 42, VIRTUAL_THREADS, dashed(), "virtual threads");
        legend(g, 230, 42, Color.GRAY, dotted(), "ideal");
        g.setColor(new Color(150, 150, 150));
        g.drawString(cores > 0 ? "shaded: more processors than the " + cores + " cores (oversubscribed, no verdict)"
                : "core count unknown: no verdicts", 310, 46);
        for (int i = 0; i < tables.size(); i++) {
            panel(g, tables.get(i), cores, 10 + (i % COLUMNS) * PANEL_W, top + (i / COLUMNS) * PANEL_H);
        }
        g.dispose();
        RatioChart.write(img, png);
    }

    private static void panel(Graphics2D g, Table t, int cores, int x0, int y0) {
        List<Row> rows = t.rows();
        int left = x0 + 45;
        int right = x0 + PANEL_W - 20;
        int top = y0 + 25;
        int bottom = y0 + PANEL_H - 45;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(t.workload().key(), x0 + 45, y0 + 15);
        if (rows.isEmpty()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("not measured", left + 10, (top + bottom) / 2);
            return;
        }
        int maxProcs = rows.getLast().procs();
        double xMax = Math.max(1, log2(maxProcs));
        double yMin = Math.min(0, Math.floor(log2(min(rows))));
        double yMax = Math.max(xMax, Math.ceil(log2(max(rows))));
        XY xy = new XY(left, right, top, bottom, xMax, yMin, yMax);
        if (cores > 0 && cores < maxProcs) {
            int sx = xy.x(Math.min(xMax, log2(cores)));
            g.setColor(new Color(235, 235, 235));
            g.fillRect(sx, top, right - sx, bottom - top);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (Row r : rows) {
            int x = xy.x(log2(r.procs()));
            g.setColor(new Color(215, 215, 215));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.valueOf(r.procs()), x - 3, bottom + 14);
        }
        for (int e = (int) yMin; e <= yMax; e++) {
            int y = xy.y(e);
            g.setColor(new Color(215, 215, 215));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String label = e >= 0 ? String.valueOf(1L << e) : "1/" + (1L << -e);
            g.drawString(label + "x", x0 + 5, y + 4);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("processors", (left + right) / 2 - 25, bottom + 28);
        g.setColor(Color.GRAY);
        g.setStroke(dotted());
        g.drawLine(xy.x(0), xy.y(0), xy.x(xMax), xy.y(xMax));
        line(g, xy, rows, Row::vtSpeedUp, VIRTUAL_THREADS, dashed());
        line(g, xy, rows, Row::gmpjSpeedUp, GMPJ, solid());
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
    }

    /** The scale of one panel: log2(procs) across, log2(speed-up) up. */
    private record XY(int left, int right, int top, int bottom, double xMax, double yMin, double yMax) {
        int x(double log2Procs) {
            return (int) Math.round(left + (right - left) * log2Procs / xMax);
        }

        int y(double log2SpeedUp) {
            return (int) Math.round(bottom - (bottom - top) * (log2SpeedUp - yMin) / (yMax - yMin));
        }
    }

    private static void line(Graphics2D g, XY xy, List<Row> rows, ToDoubleFunction<Row> speedUp, Color color,
                             Stroke stroke) {
        g.setColor(color);
        int px = -1;
        int py = -1;
        for (Row r : rows) {
            double s = speedUp.applyAsDouble(r);
            if (Double.isNaN(s) || s <= 0) {
                px = -1;
                continue;
            }
            int x = xy.x(log2(r.procs()));
            int y = xy.y(log2(s));
            g.setStroke(new BasicStroke(1));
            g.fillOval(x - 3, y - 3, 7, 7);
            if (px >= 0) {
                g.setStroke(stroke);
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
    }

    private static void legend(Graphics2D g, int x, int y, Color color, Stroke stroke, String text) {
        g.setColor(color);
        g.setStroke(stroke);
        g.drawLine(x, y - 4, x + 25, y - 4);
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawString(text, x + 30, y);
    }

    private static double min(List<Row> rows) {
        return rows.stream().flatMapToDouble(r -> DoubleStream.of(r.gmpjSpeedUp(), r.vtSpeedUp()))
                .filter(v -> v > 0).min().orElse(1);
    }

    private static double max(List<Row> rows) {
        return rows.stream().flatMapToDouble(r -> DoubleStream.of(r.gmpjSpeedUp(), r.vtSpeedUp()))
                .filter(v -> v > 0).max().orElse(1);
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static Stroke solid() {
        return new BasicStroke(2);
    }

    private static Stroke dashed() {
        return new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {7, 5}, 0);
    }

    private static Stroke dotted() {
        return new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10, new float[] {2, 4}, 0);
    }
}
