using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace AddingProblem;

/// <summary>Draws the smoothed training MSE of every experiment, one panel per length, on a log scale with the baseline.</summary>
public static class LearningCurvePlot
{
    public static void Save(string path, IReadOnlyList<ExperimentResult> results, Settings settings)
    {
        int[] lengths = results.Select(r => r.Experiment.Length).Distinct().Order().ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(lengths.Length);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        string[] cells = results.Select(r => r.Experiment.Cell).Distinct().ToArray();
        for (int i = 0; i < lengths.Length; i++)
        {
            Plot plot = multiplot.GetPlot(i);
            foreach (ExperimentResult result in results.Where(r => r.Experiment.Length == lengths[i]))
            {
                double[] epochs = result.Curve.Select(p => p.Epoch).ToArray();
                double[] logMse = result.Curve.Select(p => Math.Log10(p.Mse)).ToArray();
                var line = plot.Add.ScatterLine(epochs, logMse, Colors.Category10[Array.IndexOf(cells, result.Experiment.Cell) % 10]);
                line.LineWidth = 2;
                line.LegendText = result.Experiment.Cell;
            }

            var baseline = plot.Add.HorizontalLine(Math.Log10(AddingData.BaselineMse), 1.5f, Colors.Black, LinePattern.Dashed);
            baseline.LegendText = "predict 1 (MSE 1/6)";
            plot.Title($"Adding problem, T = {lengths[i]}");
            plot.XLabel(string.Create(CultureInfo.InvariantCulture, $"epoch ({settings.TrainCount:N0} training sequences each)"));
            plot.YLabel("training MSE (smoothed, log scale)");
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", CultureInfo.InvariantCulture),
            };
            plot.Axes.SetLimitsY(-4.5, 0);
            plot.Legend.Alignment = Alignment.LowerLeft;
        }

        multiplot.SavePng(path, 1400, 560);
    }
}
