using System.Collections.Generic;
using RnnGen;

namespace PyTorchInterop;

/// <summary>
/// One safetensors file per model, the format both sides read: the weights under their state_dict names, then
/// test.input [N, T, I], test.lengths [N] and test.output (the writer's outputs); metadata: the spec (JSON) and the
/// tolerance the reader holds its outputs to.
/// </summary>
public static class TestFile
{
    public const double Tolerance = 1e-5;

    public static void Write(string path, ParameterSet weights, ModelSpec spec, float[] input, int[] lengths, float[] output)
    {
        int rows = lengths.Length;
        var tensors = new List<SafeTensorEntry>();
        foreach (string name in weights.Names)
        {
            tensors.Add(SafeTensorEntry.Float32(name, weights.GetShape(name), weights.GetReadOnly(name)));
        }

        tensors.Add(SafeTensorEntry.Float32("test.input", [rows, spec.Steps, spec.Input], input));
        tensors.Add(SafeTensorEntry.Int32("test.lengths", [rows], lengths));
        tensors.Add(SafeTensorEntry.Float32("test.output", spec.LastOnly ? [rows, spec.Out] : [rows, spec.Steps, spec.Out], output));
        SafeTensors.Write(path, tensors, new Dictionary<string, string>
        {
            ["spec"] = spec.ToJson(),
            ["tolerance"] = Tolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["writer"] = "RnnGen samples/PyTorchInterop",
        });
    }
}
