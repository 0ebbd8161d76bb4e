// Shared by the samples (linked into each project): a line chart written to a PNG with ScottPlot, so that each
// sample says in one call what it plots.
using System;
using System.Collections.Generic;
using System.IO;
using ScottPlot;

namespace RnnGen.Samples;

/// <summary>One curve of a <see cref="LinePlot"/>: points, a legend label, and how it is drawn.</summary>
/// <param name="Markers">Draw a marker at each point (few points, such as one per epoch).</param>
/// <param name="Width">Line width in pixels.</param>
internal sealed record Curve(string Label, double[] X, double[] Y, bool Markers = false, float Width = 2);

/// <summary>A dashed reference line with its label in the legend: horizontal at y = <paramref name="Value"/> (a baseline, a chance level) or vertical at x.</summary>
internal sealed record ReferenceLine(string Label, double Value, bool Vertical = false);

/// <summary>Line charts as PNG files.</summary>
internal static class LinePlot
{
    /// <summary>Draws <paramref name="curves"/> and <paramref name="references"/> and writes a PNG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<Curve> curves,
        IReadOnlyList<ReferenceLine>? references = null, Alignment legend = Alignment.UpperRight, int width = 900, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(curves);
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");   // the default serif face reads poorly at small sizes; DejaVu ships with most Linux images
        foreach (Curve curve in curves)
        {
            if (curve.X.Length != curve.Y.Length)
            {
                throw new ArgumentException($"Curve '{curve.Label}' has {curve.X.Length} x values and {curve.Y.Length} y values.", nameof(curves));
            }

            if (curve.X.Length == 0)
            {
                continue;
            }

            var scatter = plot.Add.Scatter(curve.X, curve.Y);
            scatter.LegendText = curve.Label;
            scatter.LineWidth = curve.Width;
            scatter.MarkerSize = curve.Markers ? 8 : 0;
        }

        foreach (ReferenceLine reference in references ?? [])
        {
            ScottPlot.Plottables.AxisLine line = reference.Vertical ? plot.Add.VerticalLine(reference.Value) : plot.Add.HorizontalLine(reference.Value);
            line.LegendText = reference.Label;
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        plot.SavePng(path, width, height);
    }
}
