using System.Collections.Generic;
using System.Linq;
using RnnGen.Samples;
using RnnGen.Training;

namespace SequenceClassification;

/// <summary>One test sequence of each class, stacked, so that the task can be seen: where is the shape, and which is it?</summary>
public static class ExamplesPlot
{
    public static void Save(string path, SequenceDataset<float, int> data)
    {
        const double spacing = 4;   // vertical offset between classes
        var curves = new List<Curve>();
        for (int c = 0; c < Motifs.ClassCount; c++)
        {
            int i = Enumerable.Range(0, data.Count).First(k => data.GetTarget(k)[0] == c);
            float[] x = data.GetInput(i)[..data.GetLength(i)].ToArray();
            double offset = spacing * (Motifs.ClassCount - 1 - c);
            curves.Add(new Curve($"{Motifs.Names[c]} (drawn {offset:0} higher)",
                Enumerable.Range(0, x.Length).Select(t => (double)t).ToArray(), x.Select(v => v + offset).ToArray(), Markers: true, Width: 1.5f));
        }

        LinePlot.Save(path, "One test sequence per class (the shape is somewhere, under noise)", "step", "value (offset per class)", curves,
            legend: ScottPlot.Alignment.UpperRight, width: 900, height: 700);
    }
}
