using System;
using System.Globalization;
using System.IO;
using RnnGen;
using RnnGen.Training;

namespace PyTorchInterop;

/// <summary>RnnGen -> PyTorch: models trained here with Trainer.Fit, saved with test inputs and RnnGen's outputs for interop.py to check.</summary>
public static class RnnGenToTorch
{
    private const int TestRows = 8;

    /// <summary>Trains the 2-layer bidirectional LSTM classifier and writes <c>rnngen_bilstm2_last.safetensors</c>.</summary>
    public static string Classifier(string directory)
    {
        const int T = BiLstmClassifier.SequenceLength;
        var (train, validation) = SyntheticData.Patterns(2048, T, seed: 1, out _, out _).Split(0.2, shuffleSeed: 2);
        var model = new BiLstmClassifier(seed: 3);
        var trainer = new Trainer(model, new Adam(learningRate: 1e-2f)) { ClipGradientNorm = 1f, Seed = 4, Progress = ProgressDisplay.None };
        History history = trainer.Fit(train, epochs: 6, validation);
        Metrics last = history[^1].Validation!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  BiLstmClassifier: trained {history.Count} epochs on {train.Count} ragged sequences; validation accuracy {last.Accuracy:P1} (chance 33 %)"));

        SyntheticData.Patterns(TestRows, T, seed: 99, out float[] input, out int[] lengths);
        var output = new float[TestRows * BiLstmClassifier.OutputSize];
        model.Forward(input, output, lengths);
        return Save(directory, "rnngen_bilstm2_last", model, input, lengths, output);
    }

    /// <summary>Trains the GRU running-mean model (an output at every step) and writes <c>rnngen_gru_sequence.safetensors</c>.</summary>
    public static string RunningMean(string directory)
    {
        const int T = GruRunningMean.SequenceLength;
        var (train, validation) = SyntheticData.RunningMean(2048, T, seed: 5, out _, out _).Split(0.2, shuffleSeed: 6);
        var model = new GruRunningMean(seed: 7);
        var trainer = new Trainer(model, new Adam(learningRate: 1e-2f)) { ClipGradientNorm = 1f, Seed = 8, Progress = ProgressDisplay.None };
        History history = trainer.Fit(train, epochs: 6, validation);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  GruRunningMean: trained {history.Count} epochs; validation MSE {history[^1].Validation!.Loss:F4} (predicting 0 everywhere: {ZeroPredictionError(validation):F4})"));

        SyntheticData.RunningMean(TestRows, T, seed: 99, out float[] input, out int[] lengths);
        var output = new float[TestRows * T * GruRunningMean.OutputSize];
        model.Forward(input, output, lengths);
        return Save(directory, "rnngen_gru_sequence", model, input, lengths, output);
    }

    /// <summary>The mean squared target over valid steps: the error of a model that always outputs 0.</summary>
    private static double ZeroPredictionError(SequenceDataset<float, float> data)
    {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> target = data.GetTarget(i);
            for (int t = 0; t < data.GetLength(i); t++)
            {
                sum += target[t] * target[t];
                count++;
            }
        }

        return sum / count;
    }

    private static string Save(string directory, string name, IRnnModel model, float[] input, int[] lengths, float[] output)
    {
        string path = Path.Combine(directory, name + ".safetensors");
        TestFile.Write(path, model.Parameters, ModelSpec.Of(model, "rnn"), input, lengths, output);
        Console.WriteLine($"    wrote {path}: {model.Parameters.Names.Count} weight tensors + test.input, test.lengths, test.output");
        return path;
    }
}
