using System;
using System.IO;
using System.Linq;
using RnnGen.Tests.Runtime;
using Xunit;

namespace RnnGen.Tests.Generated;

/// <summary>
/// Issue 9: every public call validates all of its inputs before it writes any state, so a call that throws leaves
/// the model exactly as it was. Each test runs a clean sequence of calls on one model and the same sequence with bad
/// calls mixed in on a twin (same seed), and checks that the numbers that follow are the same bit for bit; each bad
/// call's exception names the argument and the expected shape or rule.
/// </summary>
public sealed class MisuseTests
{
    private const int Seed = 5;
    private const int T = Regress3.SequenceLength, I = Regress3.InputSize, O = Regress3.OutputSize, B = Regress3.BatchSize;

    private static readonly float[] X1 = Contract.Floats(B * T * I, seed: 1), X2 = Contract.Floats(B * T * I, seed: 2);
    private static readonly float[] Y1 = Contract.Floats(B * T * O, seed: 3), Y2 = Contract.Floats(B * T * O, seed: 4);
    private static readonly int[] L1 = [T, 3, 5], L2 = [2, T, 4];

    [Fact]
    public void AForwardWithBadArgumentsChangesNothing()
    {
        Regress3 clean = new(Seed), dirty = new(Seed);
        var output = new float[B * T * O];
        float cleanLoss = ForwardLossBackward(clean, X1, L1, Y1);

        dirty.Forward(X1, output, L1);
        float dirtyLoss = dirty.Loss(Y1);
        Throws<ArgumentException>("input", "[B, T, I] = [B, 6, 4]", () => dirty.Forward(new float[(B + 1) * T * I], new float[(B + 1) * T * O]));
        Throws<ArgumentException>("input", "[B, T, I] = [B, 6, 4]", () => dirty.Forward(X2.AsSpan(1), output));
        Throws<ArgumentException>("output", "[B, T, O] = [B, 6, 3]", () => dirty.Forward(X2, output.AsSpan(O)));
        Throws<ArgumentException>("output", "[B, T, O] = [B, 6, 3]", () => dirty.Forward(X2.AsSpan(0, 2 * T * I), output));
        Throws<ArgumentException>("lengths", "one per input row: 3", () => dirty.Forward(X2, output, L2.AsSpan(1)));
        Throws<ArgumentOutOfRangeException>("lengths", "lengths[2] = 0 is outside 1..6", () => dirty.Forward(X2, output, [T, T, 0]));
        Throws<ArgumentOutOfRangeException>("lengths", "lengths[1] = 7 is outside 1..6", () => dirty.Forward(X2, output, [T, T + 1, 1]));
        dirty.ZeroGradients();
        dirty.Backward();

        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        SameModel(clean, dirty);
        SameForward(clean, dirty, X2, L2);
    }

    [Fact]
    public void AForwardThatThrowsNeitherCarriesTheStateNorStartsFromTheLearnedOne()
    {
        // Regress3's GRU learns its initial state; with CarryState, a second Forward starts from the first one's final state.
        Regress3 clean = new(Seed) { CarryState = true }, dirty = new(Seed) { CarryState = true };
        var output = new float[B * T * O];
        clean.Forward(X1, output, L1);
        dirty.Forward(X1, output, L1);
        Throws<ArgumentOutOfRangeException>("lengths", "outside 1..6", () => dirty.Forward(X2, output, [1, 0, 1]));
        SameForward(clean, dirty, X2, L2);
        Contract.Bitwise(clean.InitialState, dirty.InitialState, "carried InitialState");
    }

    [Fact]
    public void AForwardThatThrowsOnABadTokenIdPartWayChangesNothing()
    {
        // The case: the old activations with the new lengths gave the old loss, and Backward failed inside
        // EmbeddingOps.ScatterAdd after writing part of the gradients.
        const int t = StepTokens3.SequenceLength, v = StepTokens3.VocabSize, o = StepTokens3.OutputSize;
        StepTokens3 clean = new(Seed), dirty = new(Seed);
        int[] x1 = Contract.Tokens(3 * t, v, seed: 6), target = Contract.Tokens(3 * t, v, seed: 7);
        int[] lengths = [t, 2, 5];
        var output = new float[3 * t * o];
        clean.Forward(x1, output, lengths);
        float cleanLoss = clean.Loss(target);
        clean.Backward();

        dirty.Forward(x1, output, lengths);
        int[] bad = Contract.Tokens(3 * t, v, seed: 8);
        bad[(2 * t) + 4] = v;
        Throws<ArgumentOutOfRangeException>("input", $"input[2, 4] = {v} is not a token id in [0, {v})", () => dirty.Forward(bad, output, [1, 1, 5]));
        bad[(2 * t) + 4] = -1;
        Throws<ArgumentOutOfRangeException>("input", "input[2, 4] = -1", () => dirty.Forward(bad, output));
        float dirtyLoss = dirty.Loss(target);
        dirty.Backward();

        Contract.Bitwise(cleanLoss, dirtyLoss, "loss after the refused Forward");
        Contract.Bitwise(clean.Gradients, dirty.Gradients, "gradient");

        // An id at a padded position is never read: any value is accepted and changes nothing.
        int[] padded = (int[])x1.Clone();
        padded[(1 * t) + 3] = -7;
        padded[(1 * t) + 6] = 1_000;
        var expected = new float[output.Length];
        clean.Forward(x1, expected, lengths);
        dirty.Forward(padded, output, lengths);
        Contract.Bitwise(expected, output, "output with garbage at padded positions");
    }

    [Fact]
    public void AStepWithBadArgumentsLeavesTheStreamAsItWas()
    {
        Regress3 clean = new(Seed), dirty = new(Seed);
        float[] s0 = Contract.Floats(B * I, seed: 9), s1 = Contract.Floats(B * I, seed: 10);
        var expected = new float[B * O];
        var output = new float[B * O];

        // Refused as the very first call: the stream has not started, so an InitialState set afterwards is its start.
        Throws<ArgumentException>("input", "[B, I] = [B, 4]", () => dirty.Step(s0.AsSpan(1), output.AsSpan(0, 2 * O)));
        Contract.Randomize(clean.InitialState, seed: 11);
        Contract.Randomize(dirty.InitialState, seed: 11);

        clean.Step(s0, expected);
        clean.Step(s1, expected);
        dirty.Step(s0, output);
        Throws<ArgumentException>("input", "[B, I] = [B, 4]", () => dirty.Step(new float[(B + 1) * I], new float[(B + 1) * O]));
        Throws<ArgumentException>("output", "[B, O] = [B, 3]", () => dirty.Step(s1, output.AsSpan(1)));
        dirty.Step(s1, output);
        Contract.Bitwise(expected, output, "second Step");
        Contract.Bitwise(clean.FinalState, dirty.FinalState, "FinalState");

        StepTokens3 cleanTokens = new(Seed), dirtyTokens = new(Seed);
        var tokenOutput = new float[3 * StepTokens3.OutputSize];
        var tokenExpected = new float[3 * StepTokens3.OutputSize];
        cleanTokens.Step([1, 2, 3], tokenExpected);
        cleanTokens.Step([4, 5, 6], tokenExpected);
        dirtyTokens.Step([1, 2, 3], tokenOutput);
        Throws<ArgumentOutOfRangeException>("input", "input[1] = 11 is not a token id in [0, 11)", () => dirtyTokens.Step([4, 11, 6], tokenOutput));
        dirtyTokens.Step([4, 5, 6], tokenOutput);
        Contract.Bitwise(tokenExpected, tokenOutput, "token Step after a refused one");
    }

    [Fact]
    public void ALossWithABadTargetChangesNothing()
    {
        Regress3 clean = new(Seed), dirty = new(Seed);
        var output = new float[B * T * O];
        float cleanLoss = ForwardLossBackward(clean, X1, L1, Y1);

        dirty.Forward(X1, output, L1);
        Throws<ArgumentException>("target", $"target has {(B * T * O) - 1} elements; expected {B * T * O} = [B, T, O] = [B, 6, 3]", () => dirty.Loss(Y1.AsSpan(1)));

        // No Loss has succeeded since the Forward: Backward has nothing to propagate.
        Throws<InvalidOperationException>(null, "needs a Forward and a Loss", () => dirty.Backward());
        float dirtyLoss = dirty.Loss(Y1);
        Throws<ArgumentException>("target", "[B, T, O]", () => dirty.Loss(new float[2 * T * O]));
        dirty.ZeroGradients();
        dirty.Backward();
        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        SameModel(clean, dirty);
    }

    [Fact]
    public void ALossThatThrowsOnABadClassPartWayChangesNothing()
    {
        // The case: the refused Loss had set "loss done" and written part of dLogits; Backward then ran on them.
        const int t = StepTokens3.SequenceLength, v = StepTokens3.VocabSize, o = StepTokens3.OutputSize;
        StepTokens3 clean = new(Seed), dirty = new(Seed);
        int[] input = Contract.Tokens(3 * t, v, seed: 12), target = Contract.Tokens(3 * t, v, seed: 13);
        int[] other = Contract.Tokens(3 * t, v, seed: 14);
        int[] lengths = [t, t, 4];
        var output = new float[3 * t * o];
        clean.Forward(input, output, lengths);
        float cleanLoss = clean.Loss(target);
        clean.ZeroGradients();
        clean.Backward();

        int[] bad = (int[])other.Clone();
        bad[(2 * t) + 3] = v;
        dirty.Forward(input, output, lengths);
        Throws<ArgumentOutOfRangeException>("target", $"target[2, 3] = {v} is neither a class in [0, {v}) nor the ignore index -100", () => dirty.Loss(bad));
        Throws<InvalidOperationException>(null, "needs a Forward and a Loss", () => dirty.Backward());
        float dirtyLoss = dirty.Loss(target);
        bad[(2 * t) + 3] = -1;
        Throws<ArgumentOutOfRangeException>("target", "target[2, 3] = -1", () => dirty.Loss(bad));
        dirty.ZeroGradients();
        dirty.Backward();
        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        Contract.Bitwise(clean.Gradients, dirty.Gradients, "gradient after the refused Loss");

        // Classes at padded positions are never read; -100 is PyTorch's ignore index.
        int[] padded = (int[])target.Clone();
        padded[(2 * t) + 5] = 1_000;
        padded[(2 * t) + 6] = -5;
        Contract.Bitwise(cleanLoss, clean.Loss(padded), "loss with garbage at padded positions");
    }

    [Fact]
    public void AClassificationLossWithABadClassChangesNothing()
    {
        // One class per sequence ([B] targets): the last row's class is out of range.
        const int t = Classify5.SequenceLength, i = Classify5.InputSize, b = Classify5.BatchSize;
        Classify5 clean = new(Seed), dirty = new(Seed);
        float[] input = Contract.Floats(b * t * i, seed: 15);
        int[] target = [0, 1, 2, 3, 1];
        var output = new float[b * Classify5.OutputSize];
        clean.Forward(input, output);
        float cleanLoss = clean.Loss(target);
        clean.Backward();

        dirty.Forward(input, output);
        float dirtyLoss = dirty.Loss(target);
        Throws<ArgumentOutOfRangeException>("target", "target[4] = 4 is neither a class in [0, 4)", () => dirty.Loss([0, 1, 2, 3, 4]));
        Throws<ArgumentException>("target", "[B]", () => dirty.Loss([0, 1, 2, 3]));
        dirty.Backward();
        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        SameModel(clean, dirty);
    }

    [Fact]
    public void LossBeforeForwardIsRefused()
    {
        Regress3 clean = new(Seed), dirty = new(Seed);
        Throws<InvalidOperationException>(null, "Loss needs a Forward call first", () => dirty.Loss(Y1));
        Throws<InvalidOperationException>(null, "Backward needs a Forward call first", () => dirty.Backward(Y1));
        float cleanLoss = ForwardLossBackward(clean, X1, L1, Y1);
        float dirtyLoss = ForwardLossBackward(dirty, X1, L1, Y1);
        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        SameModel(clean, dirty);
    }

    [Fact]
    public void BackwardWithoutLossAndTwicePerLossAreRefused()
    {
        Regress3 clean = new(Seed), dirty = new(Seed);
        float cleanLoss = ForwardLossBackward(clean, X1, L1, Y1);

        var output = new float[B * T * O];
        Throws<InvalidOperationException>(null, "Backward() needs a Forward and a Loss call first (and runs once per Loss)", () => dirty.Backward());
        dirty.Forward(X1, output, L1);
        Throws<InvalidOperationException>(null, "needs a Forward and a Loss", () => dirty.Backward());
        float dirtyLoss = dirty.Loss(Y1);
        dirty.ZeroGradients();
        dirty.Backward();
        Throws<InvalidOperationException>(null, "runs once per Loss", () => dirty.Backward());
        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        SameModel(clean, dirty);
    }

    [Fact]
    public void BackwardWithABadOutputGradientChangesNothing()
    {
        Regress3 clean = new(Seed), dirty = new(Seed);
        var output = new float[B * T * O];
        clean.Forward(X1, output, L1);
        clean.Backward(Y2);

        dirty.Forward(X1, output, L1);
        Throws<ArgumentException>("outputGradient", $"expected {B * T * O} = [B, T, O] = [B, 6, 3]", () => dirty.Backward(Y2.AsSpan(3)));
        Throws<ArgumentException>("outputGradient", "[B, T, O]", () => dirty.Backward(new float[(B + 1) * T * O]));
        dirty.Backward(Y2);
        SameModel(clean, dirty);

        // Backward(outputGradient) may run again on the same Forward (it accumulates, like PyTorch's retain_graph).
        clean.Backward(Y1);
        dirty.Backward(Y1);
        SameModel(clean, dirty);
    }

    [Fact]
    public void LossAndBackwardAfterStepAreRefused()
    {
        // Step's activations are one step's: a Loss or Backward after it would read them as the last Forward's.
        Regress3 clean = new(Seed), dirty = new(Seed);
        float[] step = Contract.Floats(B * I, seed: 16);
        var output = new float[B * T * O];
        var stepOutput = new float[B * O];
        foreach (Regress3 model in new[] { clean, dirty })
        {
            model.Forward(X1, output, L1);
            model.Loss(Y1);
            model.Step(step, stepOutput);
        }

        Throws<InvalidOperationException>(null, "needs a Forward and a Loss", () => dirty.Backward());
        Throws<InvalidOperationException>(null, "Loss needs a Forward call first", () => dirty.Loss(Y1));
        Throws<InvalidOperationException>(null, "Backward needs a Forward call first", () => dirty.Backward(Y1));
        float cleanLoss = ForwardLossBackward(clean, X2, L2, Y2);
        float dirtyLoss = ForwardLossBackward(dirty, X2, L2, Y2);
        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        SameModel(clean, dirty);
    }

    [Fact]
    public void LoadingABadParameterFileChangesNothing()
    {
        using var folder = new TemporaryDirectory();
        Regress3 clean = new(Seed), dirty = new(Seed), other = new(Seed + 1);
        string good = folder.File("other.safetensors");
        other.Parameters.Save(good);
        string[] names = other.Parameters.Names.ToArray();
        string last = names[^1];

        // Every tensor but the last is valid (and differs from the model's): a Load that copied as it went would change them.
        string wrongShape = Write(folder, "wrong-shape", other.Parameters, last, SafeTensorEntry.Float32(last, [1, other.Parameters.GetReadOnly(last).Length], other.Parameters.GetReadOnly(last)));
        string wrongType = Write(folder, "wrong-type", other.Parameters, last, SafeTensorEntry.Int32(last, other.Parameters.GetShape(last), new int[other.Parameters.GetReadOnly(last).Length]));
        string missing = Write(folder, "missing", other.Parameters, last, null);
        string truncated = folder.File("truncated.safetensors");
        byte[] bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length - 12).ToArray());
        string garbage = folder.File("garbage.safetensors");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 100).Select(i => (byte)(i * 37)).ToArray());
        string empty = folder.File("empty.safetensors");
        File.WriteAllBytes(empty, []);

        float[] before = dirty.Parameters.ReadOnlyData.ToArray();
        long version = dirty.Parameters.Version;
        Assert.Contains(last, Assert.Throws<SafeTensorsFormatException>(() => dirty.Parameters.Load(wrongShape)).Message, StringComparison.Ordinal);
        Assert.Contains(last, Assert.Throws<SafeTensorsFormatException>(() => dirty.Parameters.Load(wrongType)).Message, StringComparison.Ordinal);
        Assert.Contains(last, Assert.Throws<SafeTensorsFormatException>(() => dirty.Parameters.Load(missing)).Message, StringComparison.Ordinal);
        foreach (string path in new[] { truncated, garbage, empty, folder.File("absent.safetensors") })
        {
            // The reader's refusals (SafeTensorsFormatException; FileNotFoundException for the absent file) name the file.
            Exception error = Assert.ThrowsAny<Exception>(() => dirty.Parameters.Load(path));
            Assert.True(error is InvalidDataException or IOException, $"{Path.GetFileName(path)}: {error.GetType().Name}: {error.Message}");
            Assert.Contains(Path.GetFileName(path), error.Message, StringComparison.Ordinal);
        }

        Contract.Bitwise(before, dirty.Parameters.ReadOnlyData, "parameters after refused Loads");
        Assert.Equal(version, dirty.Parameters.Version);
        float cleanLoss = ForwardLossBackward(clean, X1, L1, Y1);
        float dirtyLoss = ForwardLossBackward(dirty, X1, L1, Y1);
        Contract.Bitwise(cleanLoss, dirtyLoss, "loss");
        SameModel(clean, dirty);

        // And the good file loads: the model now computes what the other one does.
        dirty.Parameters.Load(good);
        SameForward(other, dirty, X2, L2);
    }

    /// <summary>Asserts that <paramref name="call"/> throws <typeparamref name="TException"/> for <paramref name="parameter"/> with a message containing <paramref name="text"/>.</summary>
    private static void Throws<TException>(string? parameter, string text, Action call)
        where TException : Exception
    {
        TException error = Assert.Throws<TException>(call);
        if (parameter is not null)
        {
            Assert.Equal(parameter, ((ArgumentException)(Exception)error).ParamName);
        }

        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    private static float ForwardLossBackward(Regress3 model, float[] input, int[] lengths, float[] target)
    {
        model.Forward(input, new float[B * T * O], lengths);
        float loss = model.Loss(target);
        model.ZeroGradients();
        model.Backward();
        return loss;
    }

    /// <summary>Everything a caller can read: gradients, state gradients, input gradient, final state, parameters.</summary>
    private static void SameModel(IRnnModel clean, IRnnModel dirty)
    {
        Contract.Bitwise(clean.Parameters, dirty.Parameters, "parameter");
        Contract.Bitwise(clean.Gradients, dirty.Gradients, "gradient");
        Contract.Bitwise(clean.InitialStateGradient, dirty.InitialStateGradient, "InitialStateGradient");
        Contract.Bitwise(clean.FinalState, dirty.FinalState, "FinalState");
        Contract.Bitwise(clean.InputGradient, dirty.InputGradient, "InputGradient");
    }

    /// <summary>The next Forward gives the same outputs on both.</summary>
    private static void SameForward(Regress3 clean, Regress3 dirty, float[] input, int[] lengths)
    {
        var expected = new float[B * T * O];
        var actual = new float[B * T * O];
        clean.Forward(input, expected, lengths);
        dirty.Forward(input, actual, lengths);
        Contract.Bitwise(expected, actual, "next Forward's output");
    }

    /// <summary>A file of every tensor of <paramref name="set"/>, with <paramref name="name"/> replaced by <paramref name="replacement"/> (or left out).</summary>
    private static string Write(TemporaryDirectory folder, string file, ParameterSet set, string name, SafeTensorEntry? replacement)
    {
        string path = folder.File(file + ".safetensors");
        var entries = set.Names
            .Select(n => n == name ? replacement : SafeTensorEntry.Float32(n, set.GetShape(n), set.GetReadOnly(n)))
            .Where(e => e is not null)
            .Select(e => e!);
        SafeTensors.Write(path, entries);
        return path;
    }
}
