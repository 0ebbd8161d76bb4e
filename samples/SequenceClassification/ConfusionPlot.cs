using System.Globalization;
using ScottPlot;

namespace SequenceClassification;

/// <summary>The confusion matrix as a heatmap: rows are true classes (top to bottom), columns predicted ones, each cell labelled with its count.</summary>
public static class ConfusionPlot
{
    public static void Save(string path, ConfusionMatrix matrix, string[] names, string title)
    {
        int classes = names.Length;
        var shares = new double[classes, classes];
        for (int actual = 0; actual < classes; actual++)
        {
            int row = 0;
            for (int predicted = 0; predicted < classes; predicted++)
            {
                row += matrix.Counts[actual, predicted];
            }

            for (int predicted = 0; predicted < classes; predicted++)
            {
                shares[actual, predicted] = row == 0 ? 0 : (double)matrix.Counts[actual, predicted] / row;
            }
        }

        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new Range(0, 1);
        plot.Add.ColorBar(heatmap).Label = "share of the true class";

        // Cell (actual, predicted) spans x in [predicted, predicted + 1) and y in [classes - actual - 1, classes - actual): row 0 on top.
        heatmap.Rectangle = new CoordinateRect(0, classes, 0, classes);
        var positions = new double[classes];
        var reversed = new string[classes];
        for (int i = 0; i < classes; i++)
        {
            positions[i] = i + 0.5;
            reversed[i] = names[classes - 1 - i];
            for (int j = 0; j < classes; j++)
            {
                var label = plot.Add.Text(matrix.Counts[i, j].ToString(CultureInfo.InvariantCulture), j + 0.5, classes - i - 0.5);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = 16;
                label.LabelFontColor = shares[i, j] > 0.5 ? Colors.Black : Colors.White;
            }
        }

        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks(positions, reversed);
        plot.Axes.SetLimits(0, classes, 0, classes);
        plot.Title(title);
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        plot.SavePng(path, 760, 640);
    }
}
