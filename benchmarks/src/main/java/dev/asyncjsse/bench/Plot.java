package dev.asyncjsse.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Draws handshakes/s against key-operation latency for each load-harness configuration, one panel
 * per JDK, from {@code RESULTS_DIR/<jdk>/load.csv}, into a PNG (headless AWT, no other dependency).
 * Usage: {@code Plot RESULTS_DIR OUT.png}.
 */
public final class Plot {

    static final Color[] COLORS = {new Color(0xd62728), new Color(0xff7f0e), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x9467bd)};

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "benchmarks/results");
        File out = new File(args.length > 1 ? args[1] : root.resolve("handshakes-vs-latency.png").toString());
        List<Path> csvs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(p -> p.getFileName().toString().startsWith("jdk") && Files.exists(p.resolve("load.csv")))
                    .sorted().forEach(p -> csvs.add(p.resolve("load.csv")));
        }
        if (csvs.isEmpty()) {
            System.err.println("no load.csv under " + root);
            return;
        }
        int panelW = 620;
        int panelH = 440;
        BufferedImage img = new BufferedImage(panelW * csvs.size(), panelH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < csvs.size(); i++) {
            panel(g, csvs.get(i), i * panelW, panelW, panelH);
        }
        ImageIO.write(img, "png", out);
        System.out.println("wrote " + out);
    }

    static void panel(Graphics2D g, Path csv, int x0, int w, int h) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        String[] head = lines.get(0).split(",");
        int cConfig = idx(head, "config");
        int cLat = idx(head, "latencyMs");
        int cRate = idx(head, "handshakesPerSec");
        Map<String, Map<Integer, Double>> series = new LinkedHashMap<>();
        TreeSet<Integer> lats = new TreeSet<>();
        double max = 1;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int lat = Integer.parseInt(f[cLat]);
            double rate = Double.parseDouble(f[cRate]);
            series.computeIfAbsent(f[cConfig], k -> new LinkedHashMap<>()).put(lat, rate);
            lats.add(lat);
            max = Math.max(max, rate);
        }
        double yMax = niceCeil(max * 1.1);
        int left = x0 + 70;
        int right = x0 + w - 20;
        int top = 50;
        int bottom = h - 60;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        String jdk = csv.getParent().getFileName().toString();
        String cpus = "";
        Path machine = csv.getParent().resolve("machine.txt");
        if (Files.exists(machine)) {
            for (String l : Files.readAllLines(machine)) {
                if (l.startsWith("nproc:")) {
                    cpus = ", " + l.substring(6).trim() + " CPUs";
                }
            }
        }
        g.drawString("Handshakes/s vs key-operation latency (" + jdk + cpus + ")", x0 + 20, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        for (int t = 0; t <= 5; t++) {
            double v = yMax * t / 5;
            int y = bottom - (int) ((bottom - top) * t / 5.0);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, right, y);
            g.setColor(Color.BLACK);
            String s = String.format("%.0f", v);
            g.drawString(s, left - 8 - g.getFontMetrics().stringWidth(s), y + 4);
        }
        List<Integer> latList = new ArrayList<>(lats);
        int n = latList.size();
        int[] xs = new int[n];
        for (int i = 0; i < n; i++) {
            xs[i] = n == 1 ? (left + right) / 2 : left + 30 + (right - left - 60) * i / (n - 1);
            String s = "L = " + latList.get(i) + " ms";
            g.drawString(s, xs[i] - g.getFontMetrics().stringWidth(s) / 2, bottom + 18);
        }
        g.drawString("offload / key-operation latency L (categorical axis)", left + 80, bottom + 40);
        Graphics2D gy = (Graphics2D) g.create();
        gy.rotate(-Math.PI / 2);
        gy.drawString("handshakes per second", -(bottom + top) / 2 - 60, x0 + 18);
        gy.dispose();
        int ci = 0;
        int legendY = top + 5;
        for (Map.Entry<String, Map<Integer, Double>> e : series.entrySet()) {
            Color c = COLORS[ci++ % COLORS.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2.2f));
            int px = -1;
            int py = -1;
            for (int i = 0; i < n; i++) {
                Double v = e.getValue().get(latList.get(i));
                if (v == null) {
                    continue;
                }
                int y = bottom - (int) ((bottom - top) * v / yMax);
                g.fillOval(xs[i] - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, xs[i], y);
                }
                px = xs[i];
                py = y;
            }
            g.fillRect(right - 170, legendY, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), right - 150, legendY + 6);
            legendY += 16;
        }
        g.setStroke(new BasicStroke(1f));
    }

    static int idx(String[] head, String name) {
        for (int i = 0; i < head.length; i++) {
            if (head[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no column " + name);
    }

    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
