using System;
using System.Linq;
using ScottPlot;

namespace Forecasting;

/// <summary>The whole series with its test range marked, and the first days of the test range with every forecast.</summary>
public static class ForecastPlot
{
    public static void Save(string path, float[] series, int validationStart, int testStart, float[] model, float[] lastValue, float[] seasonal, int shownSteps)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();

        Plot whole = multiplot.GetPlot(0);
        var validation = whole.Add.HorizontalSpan(validationStart, testStart);
        validation.FillStyle.Color = Colors.C1.WithAlpha(0.15);
        validation.LineStyle.Width = 0;
        validation.LegendText = "validation targets";
        var test = whole.Add.HorizontalSpan(testStart, series.Length - 1);
        test.FillStyle.Color = Colors.Gray.WithAlpha(0.2);
        test.LineStyle.Width = 0;
        test.LegendText = "test range";
        var shown = whole.Add.HorizontalSpan(testStart, testStart + shownSteps);
        shown.FillStyle.Color = Colors.C0.WithAlpha(0.25);
        shown.LineStyle.Width = 0;
        shown.LegendText = "shown below";
        var all = whole.Add.Signal(series.Select(v => (double)v).ToArray());
        all.Color = Colors.Black;
        all.LineWidth = 1;
        all.LegendText = "series";
        whole.Title("Synthetic hourly series: trend + daily and weekly cycles + noise");
        whole.XLabel("hour");
        whole.YLabel("value");
        whole.Legend.Alignment = Alignment.UpperLeft;

        Plot detail = multiplot.GetPlot(1);
        double[] hours = Enumerable.Range(testStart, shownSteps).Select(t => (double)t).ToArray();
        var actual = detail.Add.ScatterPoints(hours, series.AsSpan(testStart, shownSteps).ToArray().Select(v => (double)v).ToArray(), Colors.Black);
        actual.MarkerSize = 4;
        actual.LegendText = "actual";
        Line(detail, hours, lastValue, shownSteps, Colors.C1, LinePattern.Dashed, "naive: last value");
        Line(detail, hours, seasonal, shownSteps, Colors.C2, LinePattern.Dotted, "seasonal naive: 24 h before");
        Line(detail, hours, model, shownSteps, Colors.C0, LinePattern.Solid, "LSTM, one step ahead");
        detail.Title($"The first {shownSteps / 24} days of the test range: one-step-ahead forecasts");
        detail.XLabel("hour");
        detail.YLabel("value");
        detail.Legend.Alignment = Alignment.UpperLeft;

        multiplot.SavePng(path, 1400, 900);
    }

    private static void Line(Plot plot, double[] hours, float[] values, int count, Color color, LinePattern pattern, string label)
    {
        var line = plot.Add.ScatterLine(hours, values.Take(count).Select(v => (double)v).ToArray(), color);
        line.LinePattern = pattern;
        line.LineWidth = 2;
        line.LegendText = label;
    }
}
