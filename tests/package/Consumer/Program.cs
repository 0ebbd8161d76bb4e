// The package's promise to a new user: declare a model, train it (the loss falls), save it, load it
// into a fresh instance and run it. Exits with 1, saying why, when any of that fails.
using RnnGen;

const int Steps = 60;
var model = new Smoother(seed: 1);
var optimizer = new Adam(learningRate: 1e-2f);
var input = new float[Smoother.BatchSize * Smoother.SequenceLength * Smoother.InputSize];
var target = new float[Smoother.BatchSize * Smoother.SequenceLength * Smoother.OutputSize];
var output = new float[target.Length];

// Each row is a noisy sine; the target at each step is the running mean of the clean signal so far.
var random = new Random(3);
for (int b = 0; b < Smoother.BatchSize; b++)
{
    double phase = random.NextDouble() * Math.PI, sum = 0;
    for (int t = 0; t < Smoother.SequenceLength; t++)
    {
        double clean = Math.Sin(phase + 0.4 * t);
        sum += clean;
        input[(b * Smoother.SequenceLength + t) * Smoother.InputSize] = (float)(clean + 0.1 * (random.NextDouble() - 0.5));
        input[(b * Smoother.SequenceLength + t) * Smoother.InputSize + 1] = 1f;
        target[b * Smoother.SequenceLength + t] = (float)(sum / (t + 1));
    }
}

float first = 0, last = 0;
for (int step = 0; step < Steps; step++)
{
    model.Forward(input, output);
    last = model.Loss(target);
    first = step == 0 ? last : first;
    model.ZeroGradients();
    model.Backward();
    GradientClipping.ClipByGlobalNorm(model.Gradients, maxNorm: 1f);
    optimizer.Step(model.Parameters, model.Gradients);
}

Console.WriteLine($"trained {Steps} steps: loss {first:F5} -> {last:F5}");
if (!(last < first / 4))
{
    return Fail($"the loss did not fall to a quarter of its first value ({first} -> {last})");
}

string path = Path.Combine(Path.GetTempPath(), $"rnngen-package-test-{Environment.ProcessId}.safetensors");
try
{
    model.Forward(input, output);
    model.Parameters.Save(path);
    var loaded = new Smoother(seed: 2);
    loaded.Parameters.Load(path);
    var reloaded = new float[output.Length];
    loaded.Forward(input, reloaded);
    if (!output.AsSpan().SequenceEqual(reloaded))
    {
        return Fail("the model loaded from the checkpoint gives other outputs than the one saved");
    }

    Console.WriteLine($"saved {model.Parameters.TotalLength} parameters, loaded them into a new model: outputs equal ({output.Length} values)");
}
finally
{
    File.Delete(path);
}

Console.WriteLine("package consumer: OK");
return 0;

static int Fail(string why)
{
    Console.Error.WriteLine($"package consumer: FAILED: {why}");
    return 1;
}

/// <summary>A GRU that learns a running mean: two inputs (signal, constant 1), one output per step.</summary>
[RnnModel(SequenceLength = 16, BatchSize = 8, InputSize = 2)]
[Gru(HiddenSize = 24, Name = "rnn")]
[Dense(OutputSize = 1, Name = "head")]
[Loss(LossKind.MeanSquaredError)]
public partial class Smoother { }
