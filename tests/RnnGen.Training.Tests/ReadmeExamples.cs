using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen;
using RnnGen.Training;
using Xunit;

// The README's "Training with Fit", "Checkpoints", "Sequence to sequence" and "Decoding" sections
// (runtime/RnnGen.Training/README.md), block for block: declarations at namespace level, statements in
// the test methods, so that every block compiles and runs. Keep the two in step.
namespace RnnGen.Training.Tests.Readme;

// README: Training with Fit (declaration)
[RnnModel(SequenceLength = 20, BatchSize = 32, InputSize = 1)]
[Lstm(HiddenSize = 32, ReturnSequences = false, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class Forecaster { }

// README: Sequence to sequence (declarations)
[RnnModel(SequenceLength = 3, BatchSize = 16)]
[Embedding(VocabSize = 7, Dim = 8, Name = "embed")]
[Gru(HiddenSize = 32, Name = "enc")]
public partial class Encoder { }

[RnnModel(SequenceLength = 4, BatchSize = 16)]
[Embedding(VocabSize = 7, Dim = 8, Name = "embed")]
[Gru(HiddenSize = 32, Name = "dec")]
[Dense(OutputSize = 7, Name = "out")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class Decoder { }

// README: Decoding (declaration)
[RnnModel(SequenceLength = 32, BatchSize = 16)]
[Embedding(VocabSize = 40, Dim = 16, Name = "embed")]
[Lstm(HiddenSize = 64, Name = "rnn")]
[Dense(OutputSize = 40, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class CharModel { }

public sealed class ReadmeExamples
{
    [Fact]
    public void EveryReadmeBlockIsCodeTestedHere()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "RnnGen.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("RnnGen.sln not found above the test's folder.");
        }

        string readme = File.ReadAllText(Path.Combine(root, "runtime", "RnnGen.Training", "README.md"));
        string tested = string.Join("\n", Lines(File.ReadAllText(Path.Combine(root, "tests", "RnnGen.Training.Tests", "ReadmeExamples.cs"))));
        string[] blocks = readme.Split("```");
        int checkedBlocks = 0;
        for (int i = 1; i < blocks.Length; i += 2)
        {
            Assert.StartsWith("csharp", blocks[i], StringComparison.Ordinal);
            string block = string.Join("\n", Lines(blocks[i]["csharp".Length..]));
            Assert.True(tested.Contains(block, StringComparison.Ordinal), $"README block {checkedBlocks + 1} is not in ReadmeExamples.cs:\n{block}");
            checkedBlocks++;
        }

        Assert.Equal(7, checkedBlocks);

        static IEnumerable<string> Lines(string text) =>
            text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
    }

    [Fact]
    public void TrainingWithFit()
    {
        float[] series = Enumerable.Range(0, 1000).Select(t => MathF.Sin(t * 0.1f)).ToArray();
        var windows = SequenceDataset.Windows<float>(series, features: 1, window: 20);   // next value after each window
        var (train, validation) = windows.Split(validationFraction: 0.2);                 // the last 20 % held out

        var model = new Forecaster(seed: 1);
        var optimizer = new Adam(learningRate: 1e-2f);
        var trainer = new Trainer(model, optimizer)
        {
            Schedule = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 2),
            EarlyStopping = new EarlyStopping(patience: 5),   // restores the best epoch's weights
            ClipGradientNorm = 1f,
            CheckFinite = true,                               // NaN/Inf in the loss or a gradient stops with its tensor's name
        };
        History history = trainer.Fit(train, epochs: 30, validation);
        Metrics metrics = trainer.Evaluate(validation);
        Console.WriteLine($"validation MSE {metrics.Loss:F5} after {history.Count} epochs");
        File.WriteAllText("history.csv", history.ToCsv());   // epoch, loss, val_loss, lr, … for a plot

        Assert.True(metrics.Loss < 0.01, $"validation MSE {metrics.Loss}");
        File.Delete("history.csv");
    }

    [Fact]
    public void Checkpoints()
    {
        using var folder = new TemporaryDirectory();
        string previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(folder.Path);   // the README writes relative paths; this class's tests run one at a time
        try
        {
            CheckpointsExample();
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    private static void CheckpointsExample()
    {
        float[] series = Enumerable.Range(0, 300).Select(t => MathF.Sin(t * 0.1f)).ToArray();
        var (train, validation) = SequenceDataset.Windows<float>(series, features: 1, window: 20).Split(0.2);

        // With Fit: a checkpoint every 50 steps; after a crash, the same call continues exactly where it stopped.
        var resumable = new Trainer(new Forecaster(seed: 1), new Adam(1e-2f)) { CheckpointPath = "forecaster.ckpt", CheckpointEvery = 50 };
        resumable.Fit(train, epochs: 10, validation, resumeFrom: File.Exists("forecaster.ckpt") ? "forecaster.ckpt" : null);

        // By hand: name what a step depends on, then save and load (loading checks everything before it changes anything).
        var net = new Forecaster(seed: 2);
        var adam = new Adam(1e-2f);
        var cosine = new CosineAnnealingLR(adam, tMax: 10);
        var shuffler = new DeterministicRandom(7);
        var checkpoint = new TrainingCheckpoint(net, adam, cosine).AddRandom("shuffle", shuffler);
        checkpoint.Save("run.safetensors", step: 1200, new Dictionary<string, string> { ["note"] = "epoch 12" });
        CheckpointInfo info = checkpoint.Load("run.safetensors");   // in a fresh process, into freshly built objects
        Console.WriteLine($"resumed at step {info.Step} ({info.Metadata["note"]})");

        Assert.Equal(1200, info.Step);
        Assert.True(TrainingCheckpoint.ReadInfo("forecaster.ckpt").Step > 0);
    }

    [Fact]
    public void SequenceToSequence()
    {
        // Reverse 3 symbols (tokens 3..6); 1 starts and 2 ends the decoder's sequence.
        static (int[] Source, int[] DecoderInput, int[] Target) Batch(DeterministicRandom random, int rows)
        {
            int[] source = new int[rows * 3], decoderInput = new int[rows * 4], target = new int[rows * 4];
            for (int r = 0; r < rows; r++)
            {
                for (int t = 0; t < 3; t++)
                {
                    source[r * 3 + t] = 3 + (int)(random.NextUInt32() % 4);
                }

                decoderInput[r * 4] = 1;
                for (int t = 0; t < 3; t++)
                {
                    target[r * 4 + t] = decoderInput[r * 4 + t + 1] = source[r * 3 + 2 - t];
                }

                target[r * 4 + 3] = 2;
            }

            return (source, decoderInput, target);
        }

        var encoder = new Encoder(seed: 1);
        var decoder = new Decoder(seed: 2);
        // enc.h_n -> dec.h0 (and c_n -> c0 for LSTMs); shapes must match, else it says what does not.
        var seq2seq = new EncoderDecoder(encoder, decoder, new Adam(1e-2f), new Adam(1e-2f)) { ClipGradientNorm = 1f };
        var random = new DeterministicRandom(3);
        for (int step = 0; step < 600; step++)
        {
            var (source, decoderInput, target) = Batch(random, rows: 16);
            float loss = seq2seq.TrainStep(source, decoderInput, target);   // teacher forcing
        }

        var (test, _, expected) = Batch(random, rows: 16);
        seq2seq.Encode(test);                             // the decoder now starts from the encoder's state
        int[][] greedy = Decoding.Greedy(decoder, Enumerable.Repeat(1, 16).ToArray(), maxLength: 5, endToken: 2);

        seq2seq.Encode(test.AsSpan(0, 3));                // one source for beam search
        IReadOnlyList<BeamHypothesis> beams = Decoding.BeamSearch(decoder, startToken: 1, maxLength: 5, beamWidth: 4, endToken: 2);
        Console.WriteLine($"{string.Join(" ", test[..3])} -> {string.Join(" ", beams[0].Tokens)} (log p {beams[0].LogProbability:F3})");

        int exact = Enumerable.Range(0, 16).Count(r => greedy[r].SequenceEqual(expected[(r * 4)..(r * 4 + 4)]));
        Assert.True(exact >= 14, $"{exact}/16");
        Assert.Equal(expected[..4], beams[0].Tokens);
    }

    [Fact]
    public void DecodingText()
    {
        var charModel = new CharModel(seed: 1);
        // … train it (Trainer.Fit on SequenceDataset.Windows<int>(tokens, 1, 32, sequenceTargets: true)) …
        int[] prompt = [5, 12, 7];

        // Continue after a prompt: prime with all but its last token, then start from that token.
        Decoding.Prime(charModel, prompt[..^1]);
        int[] text = Decoding.Sample(charModel, [prompt[^1]], maxLength: 200, new DeterministicRandom(42), temperature: 0.8f, topK: 10)[0];
        int[] likeliest = Decoding.Greedy(charModel, [prompt[^1]], maxLength: 200)[0];

        var logits = new float[CharModel.OutputSize];
        charModel.Step([prompt[^1]], logits);                                                   // or step by hand
        int next = Logits.Sample(logits, new DeterministicRandom(1), temperature: 0.8f);   // one draw from one row of logits
        Assert.Equal(200, text.Length);
        Assert.Equal(200, likeliest.Length);
        Assert.InRange(next, 0, CharModel.OutputSize - 1);
    }
}
