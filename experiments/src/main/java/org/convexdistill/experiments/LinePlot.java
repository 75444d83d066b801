package org.convexdistill.experiments;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A line chart of named series with optional dashed reference lines (the teacher), written as a
 * PNG. Runs headless: nothing here needs a display.
 */
public final class LinePlot {
  /** Width and height of every plot, in pixels. */
  public static final int WIDTH = 900;

  public static final int HEIGHT = 600;

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logX;
  private final List<XYSeries> series = new ArrayList<>();
  private final List<ValueMarker> lines = new ArrayList<>();

  public LinePlot(String title, String xLabel, String yLabel, boolean logX) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logX = logX;
  }

  /** Adds a point to the series {@code name} (created on first use, points kept in x order). */
  public LinePlot point(String name, double x, double y) {
    XYSeries s = null;
    for (XYSeries existing : series) {
      if (existing.getKey().equals(name)) {
        s = existing;
      }
    }
    if (s == null) {
      s = new XYSeries(name, true, true);
      series.add(s);
    }
    s.add(x, y);
    return this;
  }

  /** A dashed horizontal line at {@code y}, labelled. */
  public LinePlot horizontalLine(String label, double y) {
    lines.add(dashedLine(label, y));
    return this;
  }

  /** The dashed, labelled reference line both plot kinds draw (the teacher). */
  static ValueMarker dashedLine(String label, double y) {
    ValueMarker m =
        new ValueMarker(
            y,
            Color.DARK_GRAY,
            new BasicStroke(
                1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    m.setLabel(label);
    m.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
    m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
    return m;
  }

  /** Writes the chart as a {@link #WIDTH} × {@link #HEIGHT} PNG. */
  public void writePng(Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach(data::addSeries);
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(false);
    y.setUpperMargin(0.1);
    ValueAxis x;
    if (logX) {
      LogAxis log = new LogAxis(xLabel);
      log.setSmallestValue(1);
      // Plain numbers (10, 100), not 10^k labels.
      log.setNumberFormatOverride(new DecimalFormat("0.##"));
      x = log;
    } else {
      NumberAxis linear = new NumberAxis(xLabel);
      linear.setAutoRangeIncludesZero(false);
      x = linear;
    }
    write(new XYPlot(data, x, y, renderer()), file);
  }

  private void write(XYPlot plot, Path file) throws IOException {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    for (ValueMarker m : lines) {
      plot.addRangeMarker(m);
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    LegendTitle legend = new LegendTitle(plot);
    chart.addLegend(legend);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  /** Colours that stay apart on white (JFreeChart's defaults include a pale yellow). */
  static final Color[] PALETTE = {
    new Color(0xD6, 0x27, 0x28),
    new Color(0x1F, 0x77, 0xB4),
    new Color(0x2C, 0xA0, 0x2C),
    new Color(0xFF, 0x7F, 0x0E),
    new Color(0x94, 0x67, 0xBD),
    new Color(0x8C, 0x56, 0x4B),
    new Color(0xE3, 0x77, 0xC2),
    new Color(0x17, 0xBE, 0xCF),
  };

  private XYLineAndShapeRenderer renderer() {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    r.setDefaultStroke(new BasicStroke(2f));
    r.setAutoPopulateSeriesStroke(false);
    for (int i = 0; i < series.size(); i++) {
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    return r;
  }
}
