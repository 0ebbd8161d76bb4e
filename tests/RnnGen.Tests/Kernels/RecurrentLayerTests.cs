using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Kernels;
using RnnGen.Tests.Threading;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The recurrence driver (<see cref="RecurrentLayer"/>: the fused small-batch step, the packed large-batch step, padding,
/// reverse directions, the projection) against a plain scalar reference in double precision, and the promises the
/// generated code relies on, bit for bit: a partial batch gives the first rows of a full one, a sequence run one
/// step per call gives the numbers of one call over all steps, and any thread count gives the same bits.
/// </summary>
[Collection(ThreadCountCollection.Name)] // changes RnnThreads.Count
public sealed class RecurrentLayerTests
{
    public static IEnumerable<object[]> Cases()
    {
        var cells = new[] { RecurrentCellKind.Lstm, RecurrentCellKind.PeepholeLstm, RecurrentCellKind.Gru, RecurrentCellKind.SimpleRnnTanh, RecurrentCellKind.SimpleRnnRelu };
        int i = 0;
        foreach (RecurrentCellKind cell in cells)
        {
            foreach (int hidden in new[] { 1, 5, 16, 17, 32, 33, 64, 100 })
            {
                foreach (int batch in new[] { 1, 2, 3, 4, 5, 8, 11 })
                {
                    i++;
                    bool reverse = i % 3 == 0;
                    int projection = (cell == RecurrentCellKind.Lstm && i % 4 == 1 && hidden > 1) ? (hidden / 2) + 1 : 0;
                    yield return [cell, hidden, batch, reverse, projection];
                }
            }
        }

        yield return [RecurrentCellKind.Lstm, 256, 1, false, 0];
        yield return [RecurrentCellKind.Gru, 160, 3, true, 0];
        yield return [RecurrentCellKind.SimpleRnnTanh, 300, 2, false, 0];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheScalarReference(RecurrentCellKind cell, int hidden, int batch, bool reverse, int projection)
    {
        var layer = new Layer(cell, hidden, batch, reverse, projection, steps: 4, seed: (hidden * 131) + (batch * 7) + (int)cell);
        int[] lengths = Enumerable.Range(0, batch).Select(b => b % 3 == 1 ? 2 : 4).ToArray(); // rows 1, 4, 7, 10 end early
        Run result = layer.Forward(batch, lengths);
        Run expected = layer.Reference(batch, lengths);
        AssertClose(expected.States, result.States, "states");
        AssertClose(expected.Cells, result.Cells, "cells");
        AssertClose(expected.Output, result.Output, "output");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PartialBatchesOneStepCallsAndThreadCountsGiveTheSameBits(RecurrentCellKind cell, int hidden, int batch, bool reverse, int projection)
    {
        const int steps = 4;
        var layer = new Layer(cell, hidden, batch, reverse, projection, steps, seed: hidden + batch);
        int[] full = Enumerable.Repeat(steps, batch).ToArray();
        Run whole;
        using (new ThreadCountScope(1))
        {
            whole = layer.Forward(batch, full);
        }

        // Any thread count.
        using (new ThreadCountScope(3))
        {
            Run threaded = layer.Forward(batch, full);
            Assert.Equal(whole.States, threaded.States);
            Assert.Equal(whole.Output, threaded.Output);
        }

        // The first rows alone (a partial batch) give the first rows of the full batch.
        int rows = Math.Max(1, batch / 2);
        Run partial = layer.Forward(rows, full.AsSpan(0, rows).ToArray());
        Assert.Equal(layer.FirstRows(whole.Output, steps, batch, rows, layer.OutputWidth), partial.Output);
        Assert.Equal(layer.FirstRows(whole.States, steps + 1, batch, rows, layer.State), partial.States);

        // One step per call, carrying the state, gives the numbers of one call (a forward direction's Step).
        if (!reverse)
        {
            Run stepped = layer.ForwardStepByStep(batch);
            Assert.Equal(whole.Output, stepped.Output);
            Assert.Equal(whole.States, stepped.States);
            Assert.Equal(whole.Cells, stepped.Cells);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-5f * (1 + Math.Abs(expected[i])), $"{what}[{i}] = {actual[i]}, expected {expected[i]}");
        }
    }

    private sealed record Run(float[] States, float[] Cells, float[] Output);

    /// <summary>One direction's weights and inputs ([T, B, ·] buffers for the full batch), run through the driver or the reference.</summary>
    private sealed class Layer
    {
        private readonly RecurrentCellKind _cell;
        private readonly RecurrentLayer _layer;
        private readonly int _hidden;
        private readonly int _batch;
        private readonly int _steps;
        private readonly bool _reverse;
        private readonly int _projection;
        private readonly int _gates;
        private readonly float[] _weightHh;
        private readonly float[] _biasHh;
        private readonly float[] _weightHr;
        private readonly float[] _peepholeI;
        private readonly float[] _peepholeF;
        private readonly float[] _peepholeO;
        private readonly float[] _inputGates; // [T, B, G·H]
        private readonly float[] _h0; // [B, K]
        private readonly float[] _c0; // [B, H]

        public Layer(RecurrentCellKind cell, int hidden, int batch, bool reverse, int projection, int steps, int seed)
        {
            _cell = cell;
            _hidden = hidden;
            _batch = batch;
            _steps = steps;
            _reverse = reverse;
            _projection = projection;
            _gates = cell is RecurrentCellKind.Lstm or RecurrentCellKind.PeepholeLstm ? 4 : cell == RecurrentCellKind.Gru ? 3 : 1;
            _layer = new RecurrentLayer(cell, hidden, batch, reverse, projection);
            var random = new Random(seed);
            float scale = 1.5f / MathF.Sqrt(State);
            _weightHh = Noise(random, _gates * hidden * State, scale);
            _biasHh = cell == RecurrentCellKind.Gru ? Noise(random, _gates * hidden, 0.5f) : [];
            _weightHr = projection > 0 ? Noise(random, projection * hidden, 1f / MathF.Sqrt(hidden)) : [];
            bool peephole = cell == RecurrentCellKind.PeepholeLstm;
            _peepholeI = peephole ? Noise(random, hidden, 0.5f) : [];
            _peepholeF = peephole ? Noise(random, hidden, 0.5f) : [];
            _peepholeO = peephole ? Noise(random, hidden, 0.5f) : [];
            _inputGates = Noise(random, steps * batch * _gates * hidden, 1.5f);
            _h0 = Noise(random, batch * State, 0.8f);
            _c0 = Noise(random, batch * hidden, 0.8f);
        }

        public int State => _projection > 0 ? _projection : _hidden;

        public int OutputWidth => State;

        private bool HasCell => _gates == 4;

        /// <summary>[T, rows, ·] from a [T, B, ·] buffer.</summary>
        public float[] FirstRows(float[] source, int steps, int batch, int rows, int width)
        {
            var result = new float[steps * rows * width];
            for (int t = 0; t < steps; t++)
            {
                Array.Copy(source, ((t * batch) * width), result, t * rows * width, rows * width);
            }

            return result;
        }

        /// <summary>The driver over all steps for the first <paramref name="rows"/> rows.</summary>
        public Run Forward(int rows, int[] lengths) => Forward(rows, lengths, _steps, FirstRows(_inputGates, _steps, _batch, rows, _gates * _hidden), Take(_h0, rows * State), Take(_c0, rows * _hidden));

        /// <summary>The driver one step per call, each call starting from the last one's state (forward direction).</summary>
        public Run ForwardStepByStep(int rows)
        {
            int k = State, h = _hidden, gh = _gates * h;
            var states = new float[(_steps + 1) * rows * k];
            var cells = new float[(_steps + 1) * rows * h];
            var output = new float[_steps * rows * k];
            float[] hPrev = Take(_h0, rows * k), cPrev = Take(_c0, rows * h);
            Array.Copy(hPrev, states, hPrev.Length);
            Array.Copy(cPrev, cells, cPrev.Length);
            int[] lengths = Enumerable.Repeat(1, rows).ToArray();
            for (int t = 0; t < _steps; t++)
            {
                float[] gates = FirstRows(_inputGates.AsSpan(t * _batch * gh, _batch * gh).ToArray(), 1, _batch, rows, gh);
                Run step = Forward(rows, lengths, 1, gates, hPrev, cPrev);
                hPrev = step.States.AsSpan(rows * k).ToArray();
                cPrev = HasCell ? step.Cells.AsSpan(rows * h).ToArray() : cPrev;
                Array.Copy(hPrev, 0, states, (t + 1) * rows * k, hPrev.Length);
                Array.Copy(cPrev, 0, cells, (t + 1) * rows * h, cPrev.Length);
                Array.Copy(step.Output, 0, output, t * rows * k, rows * k);
            }

            return new Run(states, HasCell ? cells : [], output);
        }

        private Run Forward(int rows, int[] lengths, int steps, float[] gates, float[] h0, float[] c0)
        {
            int k = State, h = _hidden, gh = _gates * h;
            var states = new float[(steps + 1) * rows * k];
            var cells = HasCell ? new float[(steps + 1) * rows * h] : [];
            var output = new float[steps * rows * k];
            int start = _reverse ? steps : 0;
            Array.Copy(h0, 0, states, start * rows * k, rows * k);
            if (HasCell)
            {
                Array.Copy(c0, 0, cells, start * rows * h, rows * h);
            }

            _layer.Forward(rows, steps, lengths, new RecurrentSpans
            {
                ParameterVersion = -1,
                WeightHh = _weightHh,
                BiasHh = _biasHh,
                WeightHr = _weightHr,
                PeepholeInput = _peepholeI,
                PeepholeForget = _peepholeF,
                PeepholeOutput = _peepholeO,
                Gates = gates,
                HiddenGates = _cell == RecurrentCellKind.Gru ? new float[steps * rows * gh] : default,
                States = states,
                Cells = cells,
                Unprojected = _projection > 0 ? new float[steps * rows * h] : default,
                Output = output,
                OutputStride = k,
            });
            return new Run(states, cells, output);
        }

        /// <summary>The scalar reference in double: PyTorch's formulas, padding and reverse order, one row and unit at a time.</summary>
        public Run Reference(int rows, int[] lengths)
        {
            int k = State, h = _hidden, gh = _gates * h, t0 = _reverse ? _steps : 0;
            var states = new float[(_steps + 1) * rows * k];
            var cells = HasCell ? new float[(_steps + 1) * rows * h] : [];
            var output = new float[_steps * rows * k];
            for (int b = 0; b < rows; b++)
            {
                var hPrev = new double[k];
                var cPrev = new double[h];
                for (int j = 0; j < k; j++)
                {
                    hPrev[j] = _h0[(b * k) + j];
                    states[(((t0 * rows) + b) * k) + j] = _h0[(b * k) + j];
                }

                for (int j = 0; j < h && HasCell; j++)
                {
                    cPrev[j] = _c0[(b * h) + j];
                    cells[(((t0 * rows) + b) * h) + j] = _c0[(b * h) + j];
                }

                for (int i = 0; i < _steps; i++)
                {
                    int t = _reverse ? _steps - 1 - i : i;
                    int after = _reverse ? t : t + 1;
                    if (t < lengths[b])
                    {
                        var product = new double[gh];
                        for (int n = 0; n < gh; n++)
                        {
                            double sum = 0;
                            for (int p = 0; p < k; p++)
                            {
                                sum += hPrev[p] * _weightHh[(n * k) + p];
                            }

                            product[n] = sum;
                        }

                        (hPrev, cPrev) = Cell(_inputGates.AsSpan(((t * _batch) + b) * gh, gh), product, hPrev, cPrev);
                    }

                    for (int j = 0; j < k; j++)
                    {
                        states[(((after * rows) + b) * k) + j] = (float)hPrev[j];
                        output[(((t * rows) + b) * k) + j] = t < lengths[b] ? (float)hPrev[j] : 0f;
                    }

                    for (int j = 0; j < h && HasCell; j++)
                    {
                        cells[(((after * rows) + b) * h) + j] = (float)cPrev[j];
                    }
                }
            }

            return new Run(states, cells, output);
        }

        private (double[] H, double[] C) Cell(ReadOnlySpan<float> x, double[] product, double[] hPrev, double[] cPrev)
        {
            int h = _hidden;
            var next = new double[h];
            var c = new double[h];
            for (int j = 0; j < h; j++)
            {
                switch (_cell)
                {
                    case RecurrentCellKind.Gru:
                    {
                        double r = Sigmoid(x[j] + product[j] + _biasHh[j]);
                        double z = Sigmoid(x[h + j] + product[h + j] + _biasHh[h + j]);
                        double n = Math.Tanh(x[(2 * h) + j] + (r * (product[(2 * h) + j] + _biasHh[(2 * h) + j])));
                        next[j] = ((1 - z) * n) + (z * hPrev[j]);
                        break;
                    }

                    case RecurrentCellKind.SimpleRnnTanh:
                        next[j] = Math.Tanh(x[j] + product[j]);
                        break;
                    case RecurrentCellKind.SimpleRnnRelu:
                        next[j] = Math.Max(0, x[j] + product[j]);
                        break;
                    default:
                    {
                        bool peephole = _cell == RecurrentCellKind.PeepholeLstm;
                        double i = Sigmoid(x[j] + product[j] + (peephole ? _peepholeI[j] * cPrev[j] : 0));
                        double f = Sigmoid(x[h + j] + product[h + j] + (peephole ? _peepholeF[j] * cPrev[j] : 0));
                        double g = Math.Tanh(x[(2 * h) + j] + product[(2 * h) + j]);
                        c[j] = (f * cPrev[j]) + (i * g);
                        double o = Sigmoid(x[(3 * h) + j] + product[(3 * h) + j] + (peephole ? _peepholeO[j] * c[j] : 0));
                        next[j] = o * Math.Tanh(c[j]);
                        break;
                    }
                }
            }

            if (_projection == 0)
            {
                return (next, c);
            }

            var projected = new double[_projection];
            for (int q = 0; q < _projection; q++)
            {
                double sum = 0;
                for (int j = 0; j < h; j++)
                {
                    sum += _weightHr[(q * h) + j] * next[j];
                }

                projected[q] = sum;
            }

            return (projected, c);
        }

        private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        private static float[] Take(float[] source, int count) => source.AsSpan(0, count).ToArray();

        private static float[] Noise(Random random, int count, float scale)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
            }

            return values;
        }
    }
}
