using System;
using System.Collections.Generic;
using RnnGen;

// The shapes of issues 4 and 14, batch-first, a single recurrent layer whose hidden states [B,T,D·H] are
// the output (PyTorch: nn.LSTM/GRU/RNN(batch_first=True) and nothing else). Input size = hidden size except
// for the small bidirectional LSTM (input 24, as a speech front end). benchmarks/pytorch_peer.py declares the
// same shapes under the same keys, and RnnGen.Compare builds the ONNX Runtime peer from these records; keep
// the three in step.

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

    [RnnModel(SequenceLength = 63, BatchSize = 1, InputSize = 24)]
    [Lstm(HiddenSize = 32, Bidirectional = true, Name = "rnn")]
    public partial class BiLstmI24H32B1T63 { }

    /// <summary>The streaming shape: one <c>Step</c> per call, the state carried from call to call.</summary>
    [RnnModel(SequenceLength = 1, BatchSize = 1, InputSize = 256)]
    [Lstm(HiddenSize = 256, Name = "rnn")]
    public partial class LstmH256B1Stream { }

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
        /// <summary><c>Forward</c> over the whole sequence.</summary>
        Forward,

        /// <summary>One streaming <c>Step</c> (the state carried over from the previous call).</summary>
        Step,

        /// <summary><c>ZeroGradients</c> + <c>Forward</c> + <c>Loss</c> (MSE) + <c>Backward</c>.</summary>
        TrainStep,
    }

    /// <summary>
    /// One benchmark shape: a generated model of one recurrent layer and the call that is timed. <paramref name="Cell"/> is
    /// "LSTM", "GRU" or "RNN-relu"; <paramref name="Steps"/> is T (1 for a streaming step).
    /// </summary>
    public sealed record BenchShape(string Key, string Cell, int Input, int Hidden, int Batch, int Steps, int Directions, Work Work, Func<IRnnModel<float>> CreateModel)
    {
        /// <summary>Gate blocks per cell: LSTM 4 (i,f,g,o), GRU 3 (r,z,n), plain RNN 1.</summary>
        public int Gates => Cell switch { "LSTM" => 4, "GRU" => 3, _ => 1 };

        /// <summary>Whether ONNX Runtime (an inference engine) has a column for this shape.</summary>
        public bool HasInferencePeer => Work != Work.TrainStep;

        /// <summary>
        /// Matrix-product FLOPs of one call: T·B·D·(2·G·H·(I+H)) (input projection and recurrent product; pointwise
        /// gate math ignored). A training step counts 3× that: the forward products, the input-gradient products
        /// (dGates·W) and the weight-gradient products (dGatesᵀ·X).
        /// </summary>
        public double Flops
        {
            get
            {
                double forward = (double)Steps * Batch * Directions * 2.0 * Gates * Hidden * (Input + Hidden);
                return Work == Work.TrainStep ? 3 * forward : forward;
            }
        }

        /// <summary>Bytes of the direction weights W_ih and W_hh (float32): what one step must read at least once.</summary>
        public long WeightBytes => 4L * Directions * Gates * Hidden * (Input + Hidden);

        /// <summary>Human-readable shape, e.g. "LSTM H=256 B=1 T=150" or "BiLSTM I=24 H=32 B=1 T=63".</summary>
        public string Title
        {
            get
            {
                string cell = Directions == 2 ? "Bi" + Cell : Cell;
                string input = Input == Hidden ? "" : $" I={Input}";
                string steps = Work == Work.Step ? "one step" : $"T={Steps}";
                return $"{cell}{input} H={Hidden} B={Batch} {steps}";
            }
        }

        /// <summary>Human-readable work.</summary>
        public string WorkTitle => Work switch
        {
            Work.Forward => "Forward",
            Work.Step => "Step (streaming)",
            _ => "ZeroGrad+Forward+Loss(MSE)+Backward",
        };

        /// <summary>A fresh model and the timed call on fixed inputs.</summary>
        public Action CreateRunner() => CreateRunner(CreateModel());

        /// <summary>The timed call on <paramref name="model"/> (one of this shape's) with fixed inputs.</summary>
        public Action CreateRunner(IRnnModel<float> model)
        {
            int rows = Batch * (Work == Work.Step ? 1 : Steps);
            float[] input = BenchCatalog.Fill(rows * model.InputSize, 11);
            float[] output = new float[rows * model.OutputSize];
            switch (Work)
            {
                case Work.Forward:
                    return () => model.Forward(input, output);
                case Work.Step:
                    return () => model.Step(input, output);
                default:
                    var loss = (ILossModel<float>)model;
                    float[] target = BenchCatalog.Fill(rows * model.OutputSize, 13);
                    return () =>
                    {
                        loss.ZeroGradients();
                        model.Forward(input, output);
                        loss.Loss(target);
                        loss.Backward();
                    };
            }
        }

        public override string ToString() => Key;
    }

    /// <summary>The shapes of issues 4 and 14, in table order.</summary>
    public static class BenchCatalog
    {
        public static IReadOnlyList<BenchShape> All { get; } =
        [
            new("lstm_h256_b1_t150_fwd", "LSTM", 256, 256, 1, 150, 1, Work.Forward, static () => new LstmH256B1T150(1)),
            new("lstm_h512_b1_t25_fwd", "LSTM", 512, 512, 1, 25, 1, Work.Forward, static () => new LstmH512B1T25(1)),
            new("lstm_h512_b4_t25_fwd", "LSTM", 512, 512, 4, 25, 1, Work.Forward, static () => new LstmH512B4T25(1)),
            new("gru_h1024_b1_t100_fwd", "GRU", 1024, 1024, 1, 100, 1, Work.Forward, static () => new GruH1024B1T100(1)),
            new("rnn_relu_h64_b1_t96_fwd", "RNN-relu", 64, 64, 1, 96, 1, Work.Forward, static () => new RnnReluH64B1T96(1)),
            new("bilstm_i24_h32_b1_t63_fwd", "LSTM", 24, 32, 1, 63, 2, Work.Forward, static () => new BiLstmI24H32B1T63(1)),
            new("lstm_h256_b1_step", "LSTM", 256, 256, 1, 1, 1, Work.Step, static () => new LstmH256B1Stream(1)),
            new("lstm_h512_b64_t25_train", "LSTM", 512, 512, 64, 25, 1, Work.TrainStep, static () => new LstmH512B64T25Train(1)),
            new("lstm_h256_b32_t150_train", "LSTM", 256, 256, 32, 150, 1, Work.TrainStep, static () => new LstmH256B32T150Train(1)),
            new("gru_h512_b32_t50_train", "GRU", 512, 512, 32, 50, 1, Work.TrainStep, static () => new GruH512B32T50Train(1)),
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

        /// <summary>Fixed pseudo-random values in [-1, 1).</summary>
        public static float[] Fill(int count, ulong seed)
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
