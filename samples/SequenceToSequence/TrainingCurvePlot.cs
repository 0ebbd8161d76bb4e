using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace SequenceToSequence;

/// <summary>Loss (training and validation) and validation exact-match accuracy per epoch, side by side.</summary>
public static class TrainingCurvePlot
{
    public static void Save(string path, IReadOnlyList<EpochRecord> epochs, double greedyTest, double beamTest, int beamWidth)
    {
        double[] x = epochs.Select(e => (double)e.Epoch).ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();

        Plot loss = multiplot.GetPlot(0);
        var train = loss.Add.ScatterLine(x, epochs.Select(e => e.TrainLoss).ToArray(), Colors.C0);
        train.LegendText = "training (teacher forced)";
        train.LineWidth = 2;
        train.MarkerSize = 6;
        var validation = loss.Add.ScatterLine(x, epochs.Select(e => e.ValidationLoss).ToArray(), Colors.C1);
        validation.LegendText = "validation (teacher forced)";
        validation.LineWidth = 2;
        validation.MarkerSize = 6;
        loss.Title("Cross-entropy per answer token");
        loss.XLabel("epoch");
        loss.YLabel("loss (nats)");
        loss.Axes.SetLimitsY(0, epochs.Max(e => System.Math.Max(e.TrainLoss, e.ValidationLoss)) * 1.05);
        loss.Legend.Alignment = Alignment.UpperRight;

        Plot accuracy = multiplot.GetPlot(1);
        var greedy = accuracy.Add.ScatterLine(x, epochs.Select(e => 100 * e.ValidationExactMatch).ToArray(), Colors.C2);
        greedy.LegendText = "validation, greedy";
        greedy.LineWidth = 2;
        greedy.MarkerSize = 6;
        var greedyLine = accuracy.Add.HorizontalLine(100 * greedyTest, 1.5f, Colors.C2, LinePattern.Dashed);
        greedyLine.LegendText = $"test, greedy ({100 * greedyTest:F1} %)";
        var beamLine = accuracy.Add.HorizontalLine(100 * beamTest, 1.5f, Colors.C3, LinePattern.Dotted);
        beamLine.LegendText = $"test, beam width {beamWidth} ({100 * beamTest:F1} %)";
        accuracy.Title("Exact-match accuracy (whole answer right)");
        accuracy.XLabel("epoch");
        accuracy.YLabel("% of problems");
        accuracy.Axes.SetLimitsY(0, 100);
        accuracy.Legend.Alignment = Alignment.LowerRight;

        multiplot.SavePng(path, 1400, 560);
    }
}
