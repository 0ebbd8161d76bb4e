using System;
using System.Linq;
using System.Reflection;
using RnnGen;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Tests.Generated;

[RnnModel(SequenceLength = 512, BatchSize = 2, InputSize = 4)]
[Lstm(HiddenSize = 4, NumLayers = 3, Bidirectional = true, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class LongDeepBidirectionalLstm { }

/// <summary>
/// The JIT compiles methods over ~60 KB of IL (or ~2,000 basic blocks) without optimisation. The
/// generated code runs each recurrence as a loop in the runtime, so its methods are few and small
/// whatever the sequence length; this measures them on a long, deep, bidirectional model.
/// </summary>
public sealed class MethodSizeTests(ITestOutputHelper output)
{
    private const int MaxIlBytes = 12 * 1024;

    [Fact]
    public void LargestGeneratedMethodStaysFarBelowJitLimits()
    {
        MethodInfo[] methods = typeof(LongDeepBidirectionalLstm).GetMethods(
            BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
        var sizes = methods
            .Select(m => (m.Name, Size: m.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0))
            .OrderByDescending(x => x.Size)
            .ToList();
        Assert.True(sizes.Count < 60, $"expected a method pair per stage, not per step: found {sizes.Count} methods for T = 512");
        output.WriteLine($"{sizes.Count} methods; largest: {string.Join(", ", sizes.Take(3).Select(s => $"{s.Name} {s.Size} B"))}");
        Assert.True(sizes[0].Size <= MaxIlBytes, $"{sizes[0].Name} has {sizes[0].Size} bytes of IL, over the {MaxIlBytes}-byte bound");
    }

    [Fact]
    public void LongModelRunsForwardAndBackward()
    {
        var model = new LongDeepBidirectionalLstm(seed: 7);
        var input = new float[2 * 512 * 4];
        var random = new Random(1);
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)(random.NextDouble() - 0.5);
        }

        var output = new float[2 * 512 * 2];
        model.Forward(input, output, [512, 300]);
        float loss = model.Loss(new float[output.Length]);
        model.ZeroGradients();
        model.Backward();
        Assert.True(float.IsFinite(loss) && loss > 0);
        Assert.Contains(model.Gradients["rnn.weight_hh_l0_reverse"].ToArray(), g => g != 0);
        Assert.All(output.AsSpan(2 * (512 + 300), 2 * 212).ToArray(), v => Assert.Equal(0f, v));
    }
}
