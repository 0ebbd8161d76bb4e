// Sequence to sequence: addition written as text ("123+45" -> "168"). An LSTM encoder reads the problem; its final
// state starts an LSTM decoder, trained with teacher forcing by EncoderDecoder. Greedy decoding and beam search on
// the decoder's Step then answer held-out problems, scored by exact match; a plot shows the training curves.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnGen;
using RnnGen.Training;
using SequenceToSequence;

bool quick = args.Contains("--quick");
int plotIndex = Array.IndexOf(args, "--plot");
string plotPath = Path.GetFullPath(plotIndex >= 0 && plotIndex + 1 < args.Length ? args[plotIndex + 1] : Path.Combine("artifacts", "sequence-to-sequence", "sequence-to-sequence.png"));
Directory.CreateDirectory(Path.GetDirectoryName(plotPath)!);
if (args.Where((a, i) => a.StartsWith("--", StringComparison.Ordinal) && a is not "--quick" and not "--plot").Any())
{
    Console.Error.WriteLine("usage: SequenceToSequence [--quick] [--plot artifacts/sequence-to-sequence/sequence-to-sequence.png]");
    return 2;
}

int trainCount = quick ? 2_000 : 40_000, validationCount = quick ? 256 : 1_000, testCount = quick ? 200 : 1_000;
int epochs = quick ? 2 : 15;
const int BatchSize = AdditionEncoder.BatchSize, BeamWidth = 4;
const float LearningRate = 3e-3f;
(AdditionSet train, AdditionSet validation, AdditionSet test) = AdditionSet.Generate(trainCount, validationCount, testCount, seed: 2024);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Addition as text: {train.Count:N0} training, {validation.Count:N0} validation, {test.Count:N0} test problems (disjoint), e.g. {train.Problems[0]} -> {train.Answers[0]}."));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Encoder: Embedding({Vocabulary.Size}, 16) -> LSTM(128), T = {AdditionEncoder.SequenceLength} with lengths; decoder: Embedding -> LSTM(128) -> Dense({Vocabulary.Size}), T = {AdditionDecoder.SequenceLength}; " +
    $"Adam {LearningRate:G3}, batch {BatchSize}, joint gradient clipping at 1, {epochs} epochs with a cosine schedule{(quick ? " (--quick: a smoke run, too short to learn)" : "")}."));

var encoder = new AdditionEncoder(seed: 1);
var decoder = new AdditionDecoder(seed: 2);
var encoderOptimizer = new Adam(LearningRate);
var decoderOptimizer = new Adam(LearningRate);
var seq2seq = new EncoderDecoder(encoder, decoder, encoderOptimizer, decoderOptimizer) { ClipGradientNorm = 1f };
// The learning rate falls along a half cosine to 0 over the run, stepped once per epoch, for both models.
LearningRateSchedule[] schedules = [new CosineAnnealingLR(encoderOptimizer, tMax: epochs), new CosineAnnealingLR(decoderOptimizer, tMax: epochs)];

var shuffle = new DeterministicRandom(7);
int[] order = Enumerable.Range(0, train.Count).ToArray();
var sources = new int[BatchSize * AdditionSet.SourceLength];
var sourceLengths = new int[BatchSize];
var decoderInputs = new int[BatchSize * AdditionSet.TargetLength];
var targets = new int[BatchSize * AdditionSet.TargetLength];
var history = new List<EpochRecord>();
var clock = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    // A fresh order each epoch (Fisher–Yates with a seeded generator: the same run every time).
    for (int i = order.Length - 1; i > 0; i--)
    {
        int j = (int)(shuffle.NextUInt32() % (uint)(i + 1));
        (order[i], order[j]) = (order[j], order[i]);
    }

    double lossSum = 0;
    int batches = 0;
    for (int first = 0; first < order.Length; first += BatchSize)
    {
        int rows = Math.Min(BatchSize, order.Length - first);
        train.Gather(order.AsSpan(first, rows), sources, sourceLengths, decoderInputs, targets);
        lossSum += seq2seq.TrainStep<int, int, int>(
            sources.AsSpan(0, rows * AdditionSet.SourceLength), decoderInputs.AsSpan(0, rows * AdditionSet.TargetLength),
            targets.AsSpan(0, rows * AdditionSet.TargetLength), sourceLengths.AsSpan(0, rows));
        batches++;
    }

    foreach (LearningRateSchedule schedule in schedules)
    {
        schedule.Step();
    }

    double validationLoss = Evaluation.Loss(seq2seq, validation, BatchSize);
    double exactMatch = Evaluation.ExactMatch(Evaluation.Greedy(seq2seq, decoder, validation, BatchSize), validation);
    history.Add(new EpochRecord(epoch, lossSum / batches, validationLoss, exactMatch, clock.Elapsed.TotalSeconds));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch,2}  loss {lossSum / batches:F4}  validation loss {validationLoss:F4}  validation exact match (greedy) {exactMatch,6:P1}  {clock.Elapsed.TotalSeconds,5:F0} s"));
}

string?[] greedy = Evaluation.Greedy(seq2seq, decoder, test, BatchSize);
string?[] beam = Evaluation.Beam(seq2seq, decoder, test, BeamWidth);
double greedyAccuracy = Evaluation.ExactMatch(greedy, test), beamAccuracy = Evaluation.ExactMatch(beam, test);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test exact match on {test.Count:N0} held-out problems: greedy {greedyAccuracy:P1}, beam search (width {BeamWidth}) {beamAccuracy:P1}."));

int fixedByBeam = Enumerable.Range(0, test.Count).Count(n => greedy[n] != test.Answers[n] && beam[n] == test.Answers[n]);
int brokenByBeam = Enumerable.Range(0, test.Count).Count(n => greedy[n] == test.Answers[n] && beam[n] != test.Answers[n]);
Console.WriteLine($"Beam search corrects {fixedByBeam} of greedy's wrong answers and gets {brokenByBeam} of its right ones wrong.");
Console.WriteLine();
Console.WriteLine("problem     answer   greedy   beam       (10 test problems, then up to 6 that either decoder gets wrong)");
int[] shown = Enumerable.Range(0, 10)
    .Concat(Enumerable.Range(0, test.Count).Where(n => greedy[n] != test.Answers[n] || beam[n] != test.Answers[n]).Take(6))
    .Distinct().ToArray();
foreach (int n in shown)
{
    Console.WriteLine($"{test.Problems[n],-11} {test.Answers[n],-8} {Mark(greedy[n], test.Answers[n]),-8} {Mark(beam[n], test.Answers[n])}");
}

TrainingCurvePlot.Save(plotPath, history, greedyAccuracy, beamAccuracy, BeamWidth);
Console.WriteLine();
Console.WriteLine($"Training curves: {plotPath}");
return 0;

// An answer with a mark: right (✓), wrong (✗), or no end token within the length limit.
static string Mark(string? answer, string correct) => answer is null ? "(no end)" : answer == correct ? answer + " ✓" : answer + " ✗";
