using System;
using System.Collections.Generic;
using RnnGen;

// The eight shapes of issue 4. Input size = hidden size, batch-first, a single recurrent layer whose
// hidden states [B,T,H] are the output (PyTorch: nn.LSTM/GRU/RNN(batch_first=True) and nothing else).
// benchmarks/pytorch_peer.py declares the same shapes under the same keys; keep the two in step.

namespace RnnGen.Bench.Models
{
    [RnnModel(SequenceLength = 150, BatchSize = 1, InputSize = 256)]
    [Lstm(HiddenSize = 256, Name = "rnn")]
    public partial class LstmH256B1T150 { }

    [RnnModel(SequenceLength = 25, BatchSize = 1, InputSize = 512)]
    [Lstm(HiddenSize = 512, Name = "rnn")]
    public partial class LstmH512B1T25 { }

    [RnnModel(SequenceLength = 25, BatchSize = 4, InputSize = 512)]
    [Lstm(HiddenSize = 512, Name = "rnn")]
    public partial class LstmH512B4T25 { }

    [RnnModel(SequenceLength = 100, BatchSize = 1, InputSize = 1024)]
    [Gru(HiddenSize = 1024, Name = "rnn")]
    public partial class GruH1024B1T100 { }

    [RnnModel(SequenceLength = 96, BatchSize = 1, InputSize = 64)]
    [SimpleRnn(HiddenSize = 64, Nonlinearity = Nonlinearity.Relu, Name = "rnn")]
    public partial class RnnReluH64B1T96 { }

    [RnnModel(SequenceLength = 25, BatchSize = 64, InputSize = 512)]
    [Lstm(HiddenSize = 512, Name = "rnn")]
    [Loss(LossKind.MeanSquaredError)]
    public partial class LstmH512B64T25Train { }

    [RnnModel(SequenceLength = 150, BatchSize = 32, InputSize = 256)]
    [Lstm(HiddenSize = 256, Name = "rnn")]
    [Loss(LossKind.MeanSquaredError)]
    public partial class LstmH256B32T150Train { }

    [RnnModel(SequenceLength = 50, BatchSize = 32, InputSize = 512)]
    [Gru(HiddenSize = 512, Name = "rnn")]
    [Loss(LossKind.MeanSquaredError)]
    public partial class GruH512B32T50Train { }
}

namespace RnnGen.Bench
{
    using RnnGen.Bench.Models;

    /// <summary>What one timed call does.</summary>
    public enum Work
    {
        /// <summary><c>Forward</c> only.</summary>
        Forward,

        /// <summary><c>ZeroGradients</c> + <c>Forward</c> + <c>Loss</c> (MSE) + <c>Backward</c>.</summary>
        TrainStep,
    }

    /// <summary>One benchmark shape: a generated model and the call that is timed.</summary>
    public sealed record BenchShape(string Key, string Cell, int Hidden, int Batch, int Steps, Work Work, Func<Action> CreateRunner)
    {
        /// <summary>Gate blocks per cell: LSTM 4 (i,f,g,o), GRU 3 (r,z,n), plain RNN 1.</summary>
        public int Gates => Cell switch { "LSTM" => 4, "GRU" => 3, _ => 1 };

        /// <summary>
        /// Matrix-product FLOPs of one forward pass: T·B·(2·G·H·(I+H)) with I = H (input projection and
        /// recurrent product; pointwise gate math ignored). A training step counts 3× that: the forward
        /// products, the input-gradient products (dGates·W) and the weight-gradient products (dGatesᵀ·X).
        /// </summary>
        public double Flops
        {
            get
            {
                double forward = (double)Steps * Batch * 2.0 * Gates * Hidden * (Hidden + Hidden);
                return Work == Work.TrainStep ? 3 * forward : forward;
            }
        }

        /// <summary>Human-readable shape, e.g. "LSTM H=256 B=1 T=150".</summary>
        public string Title => $"{Cell} H={Hidden} B={Batch} T={Steps}";

        /// <summary>Human-readable work.</summary>
        public string WorkTitle => Work == Work.Forward ? "Forward" : "ZeroGrad+Forward+Loss(MSE)+Backward";

        public override string ToString() => Key;
    }

    /// <summary>The shapes of issue 4, in table order.</summary>
    public static class BenchCatalog
    {
        public static IReadOnlyList<BenchShape> All { get; } =
        [
            new("lstm_h256_b1_t150_fwd", "LSTM", 256, 1, 150, Work.Forward, () => Forward(new LstmH256B1T150(1), LstmH256B1T150.BatchSize * LstmH256B1T150.SequenceLength, LstmH256B1T150.InputSize, LstmH256B1T150.OutputSize, static (m, x, y) => m.Forward(x, y))),
            new("lstm_h512_b1_t25_fwd", "LSTM", 512, 1, 25, Work.Forward, () => Forward(new LstmH512B1T25(1), LstmH512B1T25.BatchSize * LstmH512B1T25.SequenceLength, LstmH512B1T25.InputSize, LstmH512B1T25.OutputSize, static (m, x, y) => m.Forward(x, y))),
            new("lstm_h512_b4_t25_fwd", "LSTM", 512, 4, 25, Work.Forward, () => Forward(new LstmH512B4T25(1), LstmH512B4T25.BatchSize * LstmH512B4T25.SequenceLength, LstmH512B4T25.InputSize, LstmH512B4T25.OutputSize, static (m, x, y) => m.Forward(x, y))),
            new("gru_h1024_b1_t100_fwd", "GRU", 1024, 1, 100, Work.Forward, () => Forward(new GruH1024B1T100(1), GruH1024B1T100.BatchSize * GruH1024B1T100.SequenceLength, GruH1024B1T100.InputSize, GruH1024B1T100.OutputSize, static (m, x, y) => m.Forward(x, y))),
            new("rnn_relu_h64_b1_t96_fwd", "RNN-relu", 64, 1, 96, Work.Forward, () => Forward(new RnnReluH64B1T96(1), RnnReluH64B1T96.BatchSize * RnnReluH64B1T96.SequenceLength, RnnReluH64B1T96.InputSize, RnnReluH64B1T96.OutputSize, static (m, x, y) => m.Forward(x, y))),
            new("lstm_h512_b64_t25_train", "LSTM", 512, 64, 25, Work.TrainStep, () =>
            {
                var m = new LstmH512B64T25Train(1);
                return Train(LstmH512B64T25Train.BatchSize * LstmH512B64T25Train.SequenceLength, LstmH512B64T25Train.InputSize, LstmH512B64T25Train.OutputSize,
                    (x, y, t) => { m.ZeroGradients(); m.Forward(x, y); m.Loss(t); m.Backward(); });
            }),
            new("lstm_h256_b32_t150_train", "LSTM", 256, 32, 150, Work.TrainStep, () =>
            {
                var m = new LstmH256B32T150Train(1);
                return Train(LstmH256B32T150Train.BatchSize * LstmH256B32T150Train.SequenceLength, LstmH256B32T150Train.InputSize, LstmH256B32T150Train.OutputSize,
                    (x, y, t) => { m.ZeroGradients(); m.Forward(x, y); m.Loss(t); m.Backward(); });
            }),
            new("gru_h512_b32_t50_train", "GRU", 512, 32, 50, Work.TrainStep, () =>
            {
                var m = new GruH512B32T50Train(1);
                return Train(GruH512B32T50Train.BatchSize * GruH512B32T50Train.SequenceLength, GruH512B32T50Train.InputSize, GruH512B32T50Train.OutputSize,
                    (x, y, t) => { m.ZeroGradients(); m.Forward(x, y); m.Loss(t); m.Backward(); });
            }),
        ];

        /// <summary>The shape with <paramref name="key"/>.</summary>
        public static BenchShape Get(string key)
        {
            foreach (BenchShape shape in All)
            {
                if (shape.Key == key)
                {
                    return shape;
                }
            }

            throw new ArgumentException($"Unknown shape '{key}'.", nameof(key));
        }

        private delegate void ForwardCall<TModel>(TModel model, ReadOnlySpan<float> input, Span<float> output);

        private delegate void TrainCall(ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<float> target);

        private static Action Forward<TModel>(TModel model, int rows, int inputSize, int outputSize, ForwardCall<TModel> call)
        {
            float[] input = Fill(rows * inputSize, 11);
            float[] output = new float[rows * outputSize];
            return () => call(model, input, output);
        }

        private static Action Train(int rows, int inputSize, int outputSize, TrainCall call)
        {
            float[] input = Fill(rows * inputSize, 11);
            float[] target = Fill(rows * outputSize, 13);
            float[] output = new float[rows * outputSize];
            return () => call(input, output, target);
        }

        /// <summary>Fixed pseudo-random values in [-1, 1).</summary>
        private static float[] Fill(int count, ulong seed)
        {
            var values = new float[count];
            ulong state = seed * 0x9E3779B97F4A7C15UL + 1;
            for (int i = 0; i < values.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                values[i] = (float)((state >> 40) * (1.0 / (1UL << 24)) * 2.0 - 1.0);
            }

            return values;
        }
    }
}
