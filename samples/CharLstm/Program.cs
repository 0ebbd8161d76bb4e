// The main job: a character-level LSTM language model trained with Trainer.Fit on Jane Austen's "Pride and
// Prejudice" (public domain, shipped beside this file). Its last chapters are held out by position; each epoch
// prints the training and validation loss, accuracy and perplexity, lines sampled as it trains show what the
// model has learnt, a checkpoint every 50 steps lets an interrupted run resume exactly, the loss curves go to a
// PNG, and the trained model writes new text one character at a time with its own streaming API (Step).
//
//   dotnet run -c Release --project samples/CharLstm [-- --fresh] [-- --epochs N] [-- --out DIR]
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CharLstm;
using RnnGen;
using RnnGen.Samples;
using RnnGen.Training;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var clock = Stopwatch.StartNew();
const int T = CharModel.SequenceLength, B = CharModel.BatchSize;
const string Prompt = "Elizabeth";
Corpus corpus = Corpus.Load(Path.Combine(AppContext.BaseDirectory, "pride-and-prejudice.txt"), validationFraction: 0.1);
Vocabulary vocabulary = corpus.Vocabulary;

// Windows of T characters side by side (stride T); each target is its window shifted by one character.
SequenceDataset<int, int> train = SequenceDataset.Windows<int>(corpus.TrainTokens, features: 1, window: T, stride: T, sequenceTargets: true);
SequenceDataset<int, int> validation = SequenceDataset.Windows<int>(corpus.ValidationTokens, features: 1, window: T, stride: T, sequenceTargets: true);
double unigram = NGramBaseline.Unigram(corpus.TrainTokens, corpus.ValidationTokens, Vocabulary.Size);
double bigram = NGramBaseline.Bigram(corpus.TrainTokens, corpus.ValidationTokens, Vocabulary.Size);

var model = new CharModel(seed: 42);
var optimizer = new Adam(learningRate: 3e-3f);
var trainer = new Trainer(model, optimizer)
{
    Schedule = new CosineAnnealingLR(optimizer, tMax: options.Epochs, etaMin: 3e-4),
    ClipGradientNorm = 1f,
    CheckFinite = true,
    Seed = 7,
    CheckpointPath = Path.Combine(options.Output, "charlstm.ckpt"),
    CheckpointEvery = 50,

    // The bar (loss, speed, time left) on a console; the epoch lines come from EpochReport either way.
    Progress = Console.IsOutputRedirected ? ProgressDisplay.None : ProgressDisplay.Bar,
};
int stepsPerEpoch = train.BatchCount(B);
long totalSteps = (long)stepsPerEpoch * options.Epochs;

Console.WriteLine($"Corpus: Pride and Prejudice, {corpus.Text.Length:N0} characters, {vocabulary.Count} distinct. Training: the first {corpus.Split:N0} "
    + $"({train.Count:N0} windows of {T}); validation: the last {corpus.Text.Length - corpus.Split:N0}, from \"{corpus.ValidationText.Split('\n')[0]}\" to the end ({validation.Count:N0} windows).");
Console.WriteLine($"Model: Embedding(32) -> LSTM(256) -> Dense({Vocabulary.Size}), {model.Parameters.TotalLength:N0} parameters; batch {B}, {stepsPerEpoch} steps per epoch, "
    + $"{options.Epochs} epochs; Adam 3e-3 with cosine decay to 3e-4, gradient norm clipped to 1.");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Baselines on the validation text, counted on the training text: unigram perplexity {unigram:F2}, bigram {bigram:F2}."));

// Resume: a checkpoint left in the output folder by an interrupted (or finished) run continues it exactly.
Directory.CreateDirectory(options.Output);
string settings = Path.Combine(options.Output, "run.txt");
string stepsCsv = Path.Combine(options.Output, "steps.csv");
string? resumeFrom = null;
long? resumedStep = null;
if (options.Fresh)
{
    File.Delete(trainer.CheckpointPath);
}
else if (File.Exists(trainer.CheckpointPath))
{
    string expected = $"epochs={options.Epochs}";
    string saved = File.Exists(settings) ? File.ReadAllText(settings).Trim() : "";
    if (saved != expected)
    {
        Console.Error.WriteLine($"{trainer.CheckpointPath} belongs to a run with {(saved.Length > 0 ? saved : "other settings")}, not {expected}: "
            + "pass the same --epochs to resume it, or --fresh to start over.");
        return 2;
    }

    resumeFrom = trainer.CheckpointPath;
    resumedStep = TrainingCheckpoint.ReadInfo(resumeFrom).Step;
    Console.WriteLine($"Resuming from {resumeFrom}: step {resumedStep} of {totalSteps} (epoch {resumedStep / stepsPerEpoch + 1}). --fresh starts over.");
}

File.WriteAllText(settings, $"epochs={options.Epochs}\n");
var generator = new TextGenerator(model, vocabulary);
var sampler = new SamplingCallback(generator, Prompt, every: 150, stepsPerEpoch);
using var stepLog = new StepLog(stepsCsv, resumedStep);
trainer.Callbacks.Add(stepLog);
trainer.Callbacks.Add(sampler);
trainer.Callbacks.Add(new EpochReport(options.Epochs));

Console.WriteLine($"Samples as it trains (prompt \"{Prompt}\", temperature 0.8, the same seed each time; '|' is a line break):");
if (resumeFrom is null)
{
    sampler.Show(trainer, 0, "untrained");
}

History history = trainer.Fit(train, options.Epochs, validation, resumeFrom);

// The results: weights for inference, the history, the validation metrics, the plot.
string weights = Path.Combine(options.Output, "charlstm.safetensors");
model.Parameters.Save(weights);
File.WriteAllText(Path.Combine(options.Output, "history.csv"), history.ToCsv());
Metrics held = trainer.Evaluate(validation);
string plot = Path.Combine(options.Output, "loss.png");
LossPlot.Save(plot, stepLog.Rows, history, stepsPerEpoch, unigram, bigram, held);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Validation (the last chapters, never trained on): loss {held.Loss:F4} nats per character, perplexity {held.Perplexity:F2}, next-character accuracy {held.Accuracy:P1}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  against perplexity {unigram:F2} for character frequencies alone (unigram) and {bigram:F2} for the previous character (bigram)."));
Console.WriteLine($"Wrote {weights}, {Path.Combine(options.Output, "history.csv")}, {stepsCsv} and {plot}.");

// Generation: the trained model itself, one stream (one row), one character per Step.
Console.WriteLine();
Show("Greedy (the likeliest character each time)", generator.Greedy(Prompt, 240));
Show("Temperature 0.5", generator.Sample(Prompt, 400, temperature: 0.5f, seed: 2024));
Show("Temperature 0.8", generator.Sample(Prompt, 400, temperature: 0.8f, seed: 2024));

using Process self = Process.GetCurrentProcess();
double trained = history.Sum(e => e.Duration.TotalSeconds);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Time: {clock.Elapsed.TotalSeconds:F0} s in all ({trained:F0} s in Fit{(resumeFrom is null ? "" : ", counting the run it resumed")}), {self.TotalProcessorTime.TotalSeconds:F0} s of CPU, {Environment.ProcessorCount} cores."));
return 0;

void Show(string title, string text)
{
    string copied = Originality.LongestCopied(Prompt + text, corpus.TrainText);
    Console.WriteLine($"{title}:");
    Console.WriteLine(Prompt + text);
    Console.WriteLine($"  (longest passage also in the training text: {copied.Length} characters, \"{SamplingCallback.OneLine(copied)}\")");
    Console.WriteLine();
}
