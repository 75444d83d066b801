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
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Mean curves with shaded bands (mean ± 2 standard deviations over seeds) on a logarithmic x axis,
 * written as a {@link LinePlot#WIDTH} × {@link LinePlot#HEIGHT} PNG.
 */
final class BandPlot {
  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<YIntervalSeries> series = new ArrayList<>();
  private final List<ValueMarker> lines = new ArrayList<>();

  BandPlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** A point of series {@code name}: x, the mean and the band [low, high]. */
  BandPlot point(String name, double x, double mean, double low, double high) {
    YIntervalSeries s = null;
    for (YIntervalSeries existing : series) {
      if (existing.getKey().equals(name)) {
        s = existing;
      }
    }
    if (s == null) {
      s = new YIntervalSeries(name);
      series.add(s);
    }
    s.add(x, mean, low, high);
    return this;
  }

  BandPlot horizontalLine(String label, double y) {
    lines.add(LinePlot.dashedLine(label, y));
    return this;
  }

  void writePng(Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    series.forEach(data::addSeries);
    LogAxis x = new LogAxis(xLabel);
    x.setSmallestValue(1e-3);
    x.setNumberFormatOverride(new DecimalFormat("0.###"));
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(false);
    y.setUpperMargin(0.1);
    DeviationRenderer r = new DeviationRenderer(true, true);
    r.setAlpha(0.2f);
    for (int i = 0; i < series.size(); i++) {
      Color c = LinePlot.PALETTE[i % LinePlot.PALETTE.length];
      r.setSeriesPaint(i, c);
      r.setSeriesFillPaint(i, c);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    lines.forEach(plot::addRangeMarker);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    chart.addLegend(new LegendTitle(plot));
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, LinePlot.WIDTH, LinePlot.HEIGHT);
  }
}
