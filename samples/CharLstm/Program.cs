// Trains a character-level LSTM on a few of Shakespeare's sonnets (public domain, shipped beside
// this file), prints the loss as it falls, checkpoints the weights, then reloads them into a
// one-step streaming model and writes new text character by character.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CharLstm;
using RnnGen;

int steps = args.Length > 1 && args[0] == "--steps" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 400;
string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sonnets.txt")).Replace("\r", "");
var vocabulary = new Vocabulary(text);
int[] corpus = text.Select(c => vocabulary[c]).ToArray();
Console.WriteLine($"Corpus: {text.Length} characters, {vocabulary.Count} distinct; model: Embedding(32) -> LSTM(256) -> Dense({Vocabulary.Size}), T = {CharModel.SequenceLength}, B = {CharModel.BatchSize}");

var model = new CharModel(seed: 42);
var optimizer = new Adam(learningRate: 3e-3f);
var random = new Random(7);
var inputs = new int[CharModel.BatchSize * CharModel.SequenceLength];
var targets = new int[inputs.Length];
var logits = new float[CharModel.BatchSize * CharModel.SequenceLength * CharModel.OutputSize];
var clock = Stopwatch.StartNew();
double average = 0;
for (int step = 1; step <= steps; step++)
{
    // Random windows; the target is the input shifted by one character.
    for (int b = 0; b < CharModel.BatchSize; b++)
    {
        int start = random.Next(corpus.Length - CharModel.SequenceLength - 1);
        corpus.AsSpan(start, CharModel.SequenceLength).CopyTo(inputs.AsSpan(b * CharModel.SequenceLength));
        corpus.AsSpan(start + 1, CharModel.SequenceLength).CopyTo(targets.AsSpan(b * CharModel.SequenceLength));
    }

    model.Forward(inputs, logits);
    float loss = model.Loss(targets);
    model.ZeroGradients();
    model.Backward();
    GradientClipping.ClipByGlobalNorm(model.Gradients, maxNorm: 1f);
    optimizer.Step(model.Parameters, model.Gradients);
    average = step == 1 ? loss : 0.9 * average + 0.1 * loss;
    if (step == 1 || step % 50 == 0)
    {
        Console.WriteLine($"step {step,4}  loss {loss:F3}  (smoothed {average:F3}, {Math.Exp(average):F1} perplexity)  {clock.Elapsed.TotalSeconds,6:F1} s");
    }
}

string checkpoint = Path.Combine(Path.GetTempPath(), "rnngen-charlstm.safetensors");
model.Parameters.Save(checkpoint);
Console.WriteLine($"Saved {model.Parameters.TotalLength:N0} parameters to {checkpoint}");

// Next-character accuracy on one pass over the whole text, in full batches.
int correct = 0, total = 0;
for (int start = 0; start + CharModel.BatchSize * CharModel.SequenceLength + 1 <= corpus.Length; start += CharModel.BatchSize * CharModel.SequenceLength)
{
    corpus.AsSpan(start, inputs.Length).CopyTo(inputs);
    model.Forward(inputs, logits);
    for (int i = 0; i < inputs.Length; i++)
    {
        ReadOnlySpan<float> row = logits.AsSpan(i * CharModel.OutputSize, CharModel.OutputSize);
        correct += ArgMax(row) == corpus[start + i + 1] ? 1 : 0;
        total++;
    }
}

Console.WriteLine($"Next-character accuracy over the text: {100.0 * correct / total:F1}% ({correct}/{total})");

// Streaming generation: one character per Forward, the LSTM state carried between calls.
var stream = new CharStream();
stream.Parameters.Load(checkpoint);
stream.CarryState = true;
var token = new int[1];
var next = new float[CharStream.OutputSize];
var generated = new System.Text.StringBuilder("Shall I");
foreach (char c in generated.ToString())
{
    token[0] = vocabulary[c];
    stream.Forward(token, next);
}

for (int i = 0; i < 400; i++)
{
    int id = Sample(next, vocabulary.Count, temperature: 0.6f, random);
    generated.Append(vocabulary[id]);
    token[0] = id;
    stream.Forward(token, next);
}

Console.WriteLine("Generated (temperature 0.6):");
Console.WriteLine(generated);

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int j = 1; j < values.Length; j++)
    {
        best = values[j] > values[best] ? j : best;
    }

    return best;
}

static int Sample(ReadOnlySpan<float> logits, int classes, float temperature, Random random)
{
    double max = double.NegativeInfinity;
    for (int j = 0; j < classes; j++)
    {
        max = Math.Max(max, logits[j]);
    }

    Span<double> weights = stackalloc double[classes];
    double sum = 0;
    for (int j = 0; j < classes; j++)
    {
        weights[j] = Math.Exp((logits[j] - max) / temperature);
        sum += weights[j];
    }

    double u = random.NextDouble() * sum;
    for (int j = 0; j < classes; j++)
    {
        u -= weights[j];
        if (u <= 0)
        {
            return j;
        }
    }

    return classes - 1;
}
