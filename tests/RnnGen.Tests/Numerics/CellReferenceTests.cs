using System;
using RnnGen.Tests.Models;
using Xunit;

namespace RnnGen.Tests.Numerics;

/// <summary>
/// The LSTM variants (projection, peephole, layer norm) and the learned initial state against PyTorch 1.13
/// (shared/reference/cells, copied into Reference/cells): outputs and loss within 1e-5, every gradient within
/// 1e-4 of the tensor's largest magnitude.
/// </summary>
public sealed class CellReferenceTests
{
    [Fact]
    public void Projection() => ReferenceCase.Check(new CellLstmProjection(), Path("cell_lstm_projection"));

    [Fact]
    public void Peephole() => ReferenceCase.Check(new CellLstmPeephole(), Path("cell_lstm_peephole"));

    [Fact]
    public void LayerNorm() => ReferenceCase.Check(new CellLstmLayernorm(), Path("cell_lstm_layernorm"));

    [Fact]
    public void LearnedInitialState() => ReferenceCase.Check(new CellLstmLearnInit(), Path("cell_lstm_learn_init"));

    private static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "cells", name + ".safetensors");
}

/// <summary>One reference case through the model interfaces: load, Forward, Loss, Backward, compare everything.</summary>
internal static class ReferenceCase
{
    public static void Check<TModel>(TModel model, string path)
        where TModel : IRnnModel<float>, ILossModel<float>
    {
        SafeTensorsFile file = SafeTensors.Read(path);
        model.Parameters.Load(path);
        var output = new float[file.GetFloat32("output").Length];
        model.Forward(file.GetFloat32("input"), output, file.GetInt32("lengths"));
        Tolerance.Absolute(file.GetFloat32("output"), output, Tolerance.Output, "output");
        float loss = model.Loss(file.GetFloat32("target"));
        Tolerance.Absolute(file.GetFloat32("loss"), [loss], Tolerance.Output, "loss");
        model.ZeroGradients();
        model.Backward();
        foreach (string name in model.Gradients.Names)
        {
            Tolerance.RelativeToMax(file.GetFloat32("grad." + name), model.Gradients.GetReadOnly(name), Tolerance.GradientRelative, "grad." + name);
        }

        if (file.Contains("grad.input"))
        {
            Tolerance.RelativeToMax(file.GetFloat32("grad.input"), model.InputGradient, Tolerance.GradientRelative, "grad.input");
        }
    }
}
