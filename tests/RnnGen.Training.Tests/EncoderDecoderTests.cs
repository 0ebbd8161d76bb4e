using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RnnGen.Training.Tests;

public sealed class EncoderDecoderTests
{
    private const int StartToken = 1, EndToken = 2;

    [Fact]
    public void TrainStepIsTheHandWiredStepWithJointClipping()
    {
        float[] source = TestData.Uniform(3 * 5 * 2, 1), decoderInput = TestData.Uniform(3 * 4 * 2, 2), target = TestData.Uniform(3 * 4 * 2, 3);
        int[] sourceLengths = [5, 2, 4];
        var encoder = new LstmEncoder(1);
        var decoder = new LstmDecoder(2);
        var seq2seq = new EncoderDecoder(encoder, decoder, new Sgd(0.5f, momentum: 0.9f), new Sgd(0.5f, momentum: 0.9f)) { ClipGradientNorm = 0.05f };
        Assert.Equal([("enc.h_n", "dec.h0"), ("enc.c_n", "dec.c0")], seq2seq.Links);

        var manualEncoder = new LstmEncoder(1);
        var manualDecoder = new LstmDecoder(2);
        var encoderOptimizer = new Sgd(0.5f, momentum: 0.9f);
        var decoderOptimizer = new Sgd(0.5f, momentum: 0.9f);
        for (int step = 0; step < 3; step++)
        {
            float loss = seq2seq.TrainStep(source, decoderInput, target, sourceLengths);

            manualEncoder.Forward(source, new float[3 * 5 * 6], sourceLengths);
            manualDecoder.InitialState.CopyFrom("dec.h0", manualEncoder.FinalState.GetReadOnly("enc.h_n"));
            manualDecoder.InitialState.CopyFrom("dec.c0", manualEncoder.FinalState.GetReadOnly("enc.c_n"));
            manualDecoder.Forward(decoderInput, new float[3 * 4 * 2]);
            float manualLoss = manualDecoder.Loss(target);
            manualEncoder.ZeroGradients();
            manualDecoder.ZeroGradients();
            manualDecoder.Backward();
            manualEncoder.FinalStateGradient.CopyFrom("enc.h_n", manualDecoder.InitialStateGradient.GetReadOnly("dec.h0"));
            manualEncoder.FinalStateGradient.CopyFrom("enc.c_n", manualDecoder.InitialStateGradient.GetReadOnly("dec.c0"));
            manualEncoder.Backward(new float[3 * 5 * 6]);
            manualEncoder.FinalStateGradient.Clear();
            float norm = GradientClipping.ClipByGlobalNorm([manualEncoder.Gradients, manualDecoder.Gradients], 0.05f);
            Assert.True(norm > 0.05f, "the clipping should act");
            encoderOptimizer.Step(manualEncoder.Parameters, manualEncoder.Gradients);
            decoderOptimizer.Step(manualDecoder.Parameters, manualDecoder.Gradients);

            Assert.Equal(BitConverter.SingleToInt32Bits(manualLoss), BitConverter.SingleToInt32Bits(loss));
        }

        Assert.Equal(TestData.Bits(manualEncoder.Parameters.ReadOnlyData), TestData.Bits(encoder.Parameters.ReadOnlyData));
        Assert.Equal(TestData.Bits(manualDecoder.Parameters.ReadOnlyData), TestData.Bits(decoder.Parameters.ReadOnlyData));
        Assert.Contains(encoder.Gradients.ReadOnlyData.ToArray(), g => g != 0);   // the encoder did learn through the state
    }

    [Fact]
    public void StatesThatDoNotConnectAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => new EncoderDecoder(new LstmEncoder(), new GruDecoder()));
        Assert.Contains("do not pair up one to one", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new EncoderDecoder(new LstmEncoder(), new NarrowLstmDecoder()));
        Assert.Contains("[2, 3, 6] but decoder state 'dec.h0' has [2, 3, 5]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new EncoderDecoder(new LstmEncoder(), new LearnedStateDecoder()));
        Assert.Contains("learns its initial state", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new EncoderDecoder(new LstmEncoder(), new GruDecoder(), links: [("enc.hn", "dec.h0")]));
        Assert.Contains("no final state 'enc.hn'", e.Message, StringComparison.Ordinal);

        // Declared links connect what the user says: the LSTM's h into the GRU's h.
        var linked = new EncoderDecoder(new LstmEncoder(), new GruDecoder(), links: [("enc.h_n", "dec.h0")]);
        Assert.Single(linked.Links);
    }

    [Fact]
    public void AFailedStepChangesNothingAndLossIsTheStepsLoss()
    {
        var encoder = new ReverseEncoder(1);
        var decoder = new ReverseDecoder(2);
        var seq2seq = new EncoderDecoder(encoder, decoder, new Adam(), new Adam());
        (int[] source, int[] decoderInput, int[] target) = Batch(Enumerable.Range(0, 16).ToArray());
        float[] encoderBefore = encoder.Parameters.ReadOnlyData.ToArray(), decoderBefore = decoder.Parameters.ReadOnlyData.ToArray();
        float[] stateBefore = decoder.InitialState.ReadOnlyData.ToArray();
        int[] bad = (int[])target.Clone();
        bad[5] = 9;   // not a class
        Assert.ThrowsAny<ArgumentException>(() => seq2seq.TrainStep(source, decoderInput, bad));
        Assert.ThrowsAny<ArgumentException>(() => seq2seq.TrainStep(source, decoderInput, target.AsSpan(1)));
        Assert.ThrowsAny<ArgumentException>(() => seq2seq.TrainStep(source.AsSpan(3), decoderInput, target));
        Assert.Equal(encoderBefore, encoder.Parameters.ReadOnlyData.ToArray());
        Assert.Equal(decoderBefore, decoder.Parameters.ReadOnlyData.ToArray());
        Assert.Equal(stateBefore, decoder.InitialState.ReadOnlyData.ToArray());

        float loss = seq2seq.Loss(source, decoderInput, target);
        Assert.Equal(loss, seq2seq.TrainStep(source, decoderInput, target));
        Assert.NotEqual(decoderBefore, decoder.Parameters.ReadOnlyData.ToArray());
    }

    [Fact]
    public void LearnsToReverseAndDecodesGreedilyAndByBeamSearch()
    {
        var encoder = new ReverseEncoder(1);
        var decoder = new ReverseDecoder(2);
        var seq2seq = new EncoderDecoder(encoder, decoder, new Adam(0.01f), new Adam(0.01f)) { ClipGradientNorm = 1f };
        var shuffle = new DeterministicRandom(3);
        for (int step = 0; step < 600; step++)
        {
            int[] rows = Enumerable.Range(0, 16).Select(_ => (int)(shuffle.NextUInt32() % 64)).ToArray();
            (int[] source, int[] decoderInput, int[] target) = Batch(rows);
            seq2seq.TrainStep(source, decoderInput, target);
        }

        int greedyCorrect = 0, beamCorrect = 0;
        for (int first = 0; first < 64; first += 16)
        {
            (int[] source, _, int[] target) = Batch(Enumerable.Range(first, 16).ToArray());
            seq2seq.Encode(source);
            int[][] decoded = Decoding.Greedy(decoder, Enumerable.Repeat(StartToken, 16).ToArray(), maxLength: 6, endToken: EndToken);
            for (int r = 0; r < 16; r++)
            {
                greedyCorrect += decoded[r].SequenceEqual(target.AsSpan(r * 4, 4).ToArray()) ? 1 : 0;
                seq2seq.Encode(source.AsSpan(r * 3, 3));
                BeamHypothesis best = Decoding.BeamSearch(decoder, StartToken, maxLength: 6, beamWidth: 3, endToken: EndToken)[0];
                beamCorrect += best.Tokens.SequenceEqual(target.AsSpan(r * 4, 4).ToArray()) ? 1 : 0;
            }
        }

        Assert.True(greedyCorrect >= 58, $"greedy exact match {greedyCorrect}/64");
        Assert.True(beamCorrect >= greedyCorrect - 2, $"beam exact match {beamCorrect}/64, greedy {greedyCorrect}/64");
    }

    [Fact]
    public void ACheckpointOfBothModelsResumesExactly()
    {
        using var folder = new TemporaryDirectory();
        (EncoderDecoder Model, List<float> Losses) Run(int seed, string? load, string? save, int from, int to)
        {
            var encoderOptimizer = new Adam(0.01f);
            var seq2seq = new EncoderDecoder(new ReverseEncoder(seed), new ReverseDecoder(seed + 1), encoderOptimizer, new Adam(0.01f));
            var schedule = new StepLR(encoderOptimizer, 1, 0.9);
            TrainingCheckpoint checkpoint = seq2seq.CreateCheckpoint(encoderSchedule: schedule);
            if (load is not null)
            {
                Assert.Equal(from, checkpoint.Load(load).Step);
            }

            var losses = new List<float>();
            for (int step = from; step < to; step++)
            {
                (int[] source, int[] decoderInput, int[] target) = Batch(Enumerable.Range(step * 5 % 48, 16).ToArray());
                losses.Add(seq2seq.TrainStep(source, decoderInput, target));
                schedule.Step();
            }

            if (save is not null)
            {
                checkpoint.Save(save, to);
            }

            return (seq2seq, losses);
        }

        (EncoderDecoder straight, List<float> straightLosses) = Run(1, null, null, 0, 6);
        string path = folder.File("seq2seq.safetensors");
        Run(1, null, path, 0, 3);
        (EncoderDecoder resumed, List<float> resumedLosses) = Run(40, path, null, 3, 6);
        Assert.Equal(straightLosses.Skip(3).Select(BitConverter.SingleToInt32Bits), resumedLosses.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(TestData.Bits(straight.Encoder.Parameters.ReadOnlyData), TestData.Bits(resumed.Encoder.Parameters.ReadOnlyData));
        Assert.Equal(TestData.Bits(straight.Decoder.Parameters.ReadOnlyData), TestData.Bits(resumed.Decoder.Parameters.ReadOnlyData));
    }

    /// <summary>Sources are 3 symbols (tokens 3..6) numbered 0..63; the decoder reads start + reversed and predicts reversed + end.</summary>
    private static (int[] Source, int[] DecoderInput, int[] Target) Batch(int[] numbers)
    {
        var source = new int[numbers.Length * 3];
        var decoderInput = new int[numbers.Length * 4];
        var target = new int[numbers.Length * 4];
        for (int r = 0; r < numbers.Length; r++)
        {
            int[] symbols = [3 + (numbers[r] % 4), 3 + (numbers[r] / 4 % 4), 3 + (numbers[r] / 16 % 4)];
            symbols.CopyTo(source, r * 3);
            int[] reversed = [symbols[2], symbols[1], symbols[0]];
            decoderInput[r * 4] = StartToken;
            reversed.CopyTo(decoderInput, r * 4 + 1);
            reversed.CopyTo(target, r * 4);
            target[r * 4 + 3] = EndToken;
        }

        return (source, decoderInput, target);
    }
}
