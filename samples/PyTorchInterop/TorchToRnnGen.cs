using System;
using System.Globalization;
using System.Linq;
using RnnGen;

namespace PyTorchInterop;

/// <summary>PyTorch -> RnnGen: a state_dict saved by interop.py loads into the generated model, which reproduces PyTorch's outputs.</summary>
public static class TorchToRnnGen
{
    /// <summary>Loads <paramref name="path"/> into <paramref name="model"/>, runs its test inputs and returns the largest difference from PyTorch's outputs.</summary>
    public static double Check(string path, IRnnModel<float> model)
    {
        using SafeTensorsFile file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue("spec", out string? json))
        {
            throw new InvalidOperationException($"{path} has no 'spec' in its metadata: it was not written by interop.py export.");
        }

        ModelSpec spec = ModelSpec.FromJson(json);
        spec.RequireMatches(model, path);

        // The state_dict as saved: every tensor the model declares must be there with its PyTorch shape (extra tensors, test.*, are ignored).
        model.Parameters.Load(path);
        float[] input = file.GetFloat32("test.input");
        int[] lengths = file.GetInt32("test.lengths");
        float[] expected = file.GetFloat32("test.output");
        var output = new float[expected.Length];
        model.Training = false;
        model.Forward(input, output, lengths);
        double difference = 0;
        for (int i = 0; i < output.Length; i++)
        {
            difference = Math.Max(difference, Math.Abs(output[i] - expected[i]));
        }

        string names = string.Join(", ", model.Parameters.Names.Select(n => $"{n} {ParameterSet.ShapeText(model.Parameters.GetShape(n))}"));
        Console.WriteLine($"  {System.IO.Path.GetFileName(path)}: {spec.Describe()}");
        Console.WriteLine($"    loaded {model.Parameters.Names.Count} tensors: {names}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {lengths.Length} sequences, lengths {string.Join(" ", lengths)}: max |RnnGen - PyTorch| = {difference:0.00E+00} (limit {TestFile.Tolerance:0E+00}) {(difference <= TestFile.Tolerance ? "OK" : "FAILED")}"));
        return difference;
    }
}
