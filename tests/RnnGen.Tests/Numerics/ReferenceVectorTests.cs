using System;
using System.IO;
using RnnGen.Tests.Models;
using Xunit;

namespace RnnGen.Tests.Numerics;

/// <summary>
/// Every case of shared/reference (copied into Reference/, the batches above 8 into Reference/large/) against
/// the generated model of the same declaration.
/// </summary>
public sealed class ReferenceVectorTests
{
    private static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Reference", name + ".safetensors");

    private static SafeTensorsFile Open(string name) => SafeTensors.Read(PathOf(name));

    [Fact]
    public void RnnTanhMse() => CheckFloatModel(new RnnTanhMse(), Open("rnn_tanh_mse"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void RnnReluMse() => CheckFloatModel(new RnnReluMse(), Open("rnn_relu_mse"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void Lstm2LayerMse() => CheckFloatModel(new Lstm2layerMse(), Open("lstm_2layer_mse"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void Gru2LayerMse() => CheckFloatModel(new Gru2layerMse(), Open("gru_2layer_mse"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void LstmBidirMse() => CheckFloatModel(new LstmBidirMse(), Open("lstm_bidir_mse"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void GruVarlenMse() => CheckFloatModel(new GruVarlenMse(), Open("gru_varlen_mse"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void LstmDenseTanh() => CheckFloatModel(new LstmDenseTanh(), Open("lstm_dense_tanh"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void LstmLastCeCase()
    {
        const string name = "lstm_last_ce";
        SafeTensorsFile file = Open(name);
        var model = new LstmLastCe();
        model.Parameters.Load(PathOf(name));
        var output = new float[LstmLastCe.BatchSize * LstmLastCe.OutputSize];
        model.Forward(file.GetFloat32("input"), output, file.GetInt32("lengths"));
        Tolerance.Absolute(file.GetFloat32("output"), output, Tolerance.Output, "output");
        float loss = model.Loss(file.GetInt32("target"));
        Tolerance.Absolute(file.GetFloat32("loss"), [loss], Tolerance.Output, "loss");
        model.ZeroGradients();
        model.Backward();
        CheckGradients(file, model.Gradients);
        Tolerance.RelativeToMax(file.GetFloat32("grad.input"), model.InputGradient, Tolerance.GradientRelative, "grad.input");
    }

    [Fact]
    public void EmbedGruLmCeCase()
    {
        const string name = "embed_gru_lm_ce";
        SafeTensorsFile file = Open(name);
        var model = new EmbedGruLmCe();
        model.Parameters.Load(PathOf(name));
        var output = new float[EmbedGruLmCe.BatchSize * EmbedGruLmCe.SequenceLength * EmbedGruLmCe.OutputSize];
        model.Forward(file.GetInt32("input"), output, file.GetInt32("lengths"));
        Tolerance.Absolute(file.GetFloat32("output"), output, Tolerance.Output, "output");
        float loss = model.Loss(file.GetInt32("target"));
        Tolerance.Absolute(file.GetFloat32("loss"), [loss], Tolerance.Output, "loss");
        model.ZeroGradients();
        model.Backward();
        CheckGradients(file, model.Gradients);
    }

    [Fact]
    public void LstmBidirVarlenB12Mse() => CheckFloatModel(new LstmBidirVarlenB12Mse(), Open("large/lstm_bidir_varlen_b12_mse"), m => m.Parameters, m => m.Gradients,
        (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());

    [Fact]
    public void GruLmVarlenB16CeCase() => CheckGruLmVarlenB16Ce(afterFullLengthCall: false);

    /// <summary>
    /// The same case on a model that has just run every row at full length: padded positions must not keep that
    /// call's outputs or gradients (a fresh model's zeroed buffers would hide a missing clear).
    /// </summary>
    [Fact]
    public void GruLmVarlenB16CeAfterAFullLengthCall() => CheckGruLmVarlenB16Ce(afterFullLengthCall: true);

    [Fact]
    public void LstmBidirVarlenB12MseAfterAFullLengthCall()
    {
        SafeTensorsFile file = Open("large/lstm_bidir_varlen_b12_mse");
        var model = new LstmBidirVarlenB12Mse();
        model.Parameters.Load(file.SourcePath);
        model.Forward(file.GetFloat32("input"), new float[file.GetFloat32("output").Length]);
        model.Loss(file.GetFloat32("target"));
        model.Backward();
        CheckFloatModel(model, file, m => m.Parameters, m => m.Gradients,
            (m, x, y, l) => m.Forward(x, y, l), (m, t) => m.Loss(t), m => m.Backward(), m => m.InputGradient.ToArray());
    }

    private static void CheckGruLmVarlenB16Ce(bool afterFullLengthCall)
    {
        const string name = "large/gru_lm_varlen_b16_ce";
        SafeTensorsFile file = Open(name);
        var model = new GruLmVarlenB16Ce();
        model.Parameters.Load(PathOf(name));
        var output = new float[GruLmVarlenB16Ce.BatchSize * GruLmVarlenB16Ce.SequenceLength * GruLmVarlenB16Ce.OutputSize];
        if (afterFullLengthCall)
        {
            model.Forward(file.GetInt32("input"), output);
            model.Loss(file.GetInt32("target"));
            model.Backward();
        }

        model.Forward(file.GetInt32("input"), output, file.GetInt32("lengths"));
        Tolerance.Absolute(file.GetFloat32("output"), output, Tolerance.Output, "output");
        float loss = model.Loss(file.GetInt32("target"));
        Tolerance.Absolute(file.GetFloat32("loss"), [loss], Tolerance.Output, "loss");
        model.ZeroGradients();
        model.Backward();
        CheckGradients(file, model.Gradients);
    }

    [Fact]
    public void RnnReluLastB10CeCase()
    {
        const string name = "large/rnn_relu_last_b10_ce";
        SafeTensorsFile file = Open(name);
        var model = new RnnReluLastB10Ce();
        model.Parameters.Load(PathOf(name));
        var output = new float[RnnReluLastB10Ce.BatchSize * RnnReluLastB10Ce.OutputSize];
        model.Forward(file.GetFloat32("input"), output, file.GetInt32("lengths"));
        Tolerance.Absolute(file.GetFloat32("output"), output, Tolerance.Output, "output");
        float loss = model.Loss(file.GetInt32("target"));
        Tolerance.Absolute(file.GetFloat32("loss"), [loss], Tolerance.Output, "loss");
        model.ZeroGradients();
        model.Backward();
        CheckGradients(file, model.Gradients);
        Tolerance.RelativeToMax(file.GetFloat32("grad.input"), model.InputGradient, Tolerance.GradientRelative, "grad.input");
    }

    private static void CheckFloatModel<TModel>(TModel model, SafeTensorsFile file, Func<TModel, ParameterSet> parameters, Func<TModel, ParameterSet> gradients,
        Action<TModel, float[], float[], int[]> forward, Func<TModel, float[], float> lossOf, Action<TModel> backward, Func<TModel, float[]> inputGradient)
    {
        parameters(model).Load(file.SourcePath);
        var output = new float[file.GetFloat32("output").Length];
        forward(model, file.GetFloat32("input"), output, file.GetInt32("lengths"));
        Tolerance.Absolute(file.GetFloat32("output"), output, Tolerance.Output, "output");
        float loss = lossOf(model, file.GetFloat32("target"));
        Tolerance.Absolute(file.GetFloat32("loss"), [loss], Tolerance.Output, "loss");
        gradients(model).Clear();
        backward(model);
        CheckGradients(file, gradients(model));
        Tolerance.RelativeToMax(file.GetFloat32("grad.input"), inputGradient(model), Tolerance.GradientRelative, "grad.input");
    }

    private static void CheckGradients(SafeTensorsFile file, ParameterSet gradients)
    {
        foreach (string name in gradients.Names)
        {
            Tolerance.RelativeToMax(file.GetFloat32("grad." + name), gradients[name], Tolerance.GradientRelative, "grad." + name);
        }
    }
}
