using System;
using System.Collections.Generic;

namespace RnnGen.Tests.GradientChecks;

/// <summary>One layer of the scalar reference: what the attributes declare, nothing else.</summary>
internal sealed record ReferenceLayer(string Kind, string Name, int Size, int NumLayers = 1, bool Bidirectional = false,
    bool ReturnSequences = true, string Activation = "none", int VocabSize = 0,
    int Projection = 0, bool Peephole = false, bool LayerNorm = false, bool LearnInitialState = false)
{
    /// <summary>The width of h: the projection size, or the hidden size.</summary>
    public int StateSize => Projection > 0 ? Projection : Size;
}

/// <summary>
/// A deliberately plain, double-precision, loop-by-loop implementation of PyTorch's semantics
/// (packed sequences, bidirectional stacks, dense heads, losses), written independently of the
/// generator and kernels. It only computes a loss (and final states); its gradients come from central differences.
/// The LSTM variants follow make_cells_reference.py: projection (h = W_hr·m, nn.LSTM(proj_size)),
/// peephole (w_ci, w_cf on c(t−1), w_co on c(t)), layer norm (LN_ih, LN_hh over 4H and LN_c over H,
/// no biases), and a learned initial state (name.h0 [L·D, K], name.c0 [L·D, H], shared by every row).
/// </summary>
internal sealed class ScalarReferenceModel
{
    private readonly int _steps, _batch, _inputSize;
    private readonly IReadOnlyList<ReferenceLayer> _layers;
    private readonly string _loss;

    public ScalarReferenceModel(int steps, int batch, int inputSize, string loss, params ReferenceLayer[] layers)
    {
        _steps = steps;
        _batch = batch;
        _inputSize = inputSize;
        _loss = loss;
        _layers = layers;
    }

    /// <summary>
    /// The loss for given parameters (by PyTorch name), input (floats [B,T,I] or token ids [B,T]),
    /// lengths and target; plus Σ finalStateWeights·h_n when given (a consumer of the final state).
    /// </summary>
    public double Loss(IReadOnlyDictionary<string, double[]> p, double[]? input, int[]? tokens, int[] lengths, double[]? target, int[]? classes,
        IReadOnlyDictionary<string, double[]>? initialState = null, IReadOnlyDictionary<string, double[]>? finalStateWeights = null)
    {
        (double[][][] x, double[][]? flat, bool sequence, int features, double extra) = Run(p, input, tokens, lengths, initialState, finalStateWeights, null);
        return extra + (sequence ? SequenceLoss(x, lengths, features, target, classes) : RowLoss(flat!, features, target, classes));
    }

    /// <summary>
    /// The final states after the sequence, by the generated models' names (<c>name.h_n</c>, and <c>name.c_n</c> for an
    /// LSTM), each [L·D, B, H]: what an encoder hands to a decoder.
    /// </summary>
    public Dictionary<string, double[]> FinalStates(IReadOnlyDictionary<string, double[]> p, double[]? input, int[]? tokens, int[] lengths,
        IReadOnlyDictionary<string, double[]>? initialState = null)
    {
        var states = new Dictionary<string, double[]>();
        Run(p, input, tokens, lengths, initialState, null, states);
        return states;
    }

    private (double[][][] X, double[][]? Flat, bool Sequence, int Features, double Extra) Run(IReadOnlyDictionary<string, double[]> p, double[]? input,
        int[]? tokens, int[] lengths, IReadOnlyDictionary<string, double[]>? initialState, IReadOnlyDictionary<string, double[]>? finalStateWeights,
        Dictionary<string, double[]>? finalStates)
    {
        // x[b][t] = feature vector; null rows beyond a sequence's length are never read.
        var x = new double[_batch][][];
        int features = _inputSize;
        for (int b = 0; b < _batch; b++)
        {
            x[b] = new double[_steps][];
            for (int t = 0; t < _steps; t++)
            {
                x[b][t] = new double[features];
                for (int f = 0; f < features && input is not null; f++)
                {
                    x[b][t][f] = input[(b * _steps + t) * features + f];
                }
            }
        }

        bool sequence = true;
        double extra = 0;
        double[][]? flat = null; // [B][F] once the sequence is reduced to one vector per row
        foreach (ReferenceLayer layer in _layers)
        {
            switch (layer.Kind)
            {
                case "embedding":
                    features = layer.Size;
                    for (int b = 0; b < _batch; b++)
                    {
                        for (int t = 0; t < _steps; t++)
                        {
                            x[b][t] = Row(p[layer.Name + ".weight"], tokens![b * _steps + t], layer.Size);
                        }
                    }

                    break;
                case "dense":
                    double[] w = p[layer.Name + ".weight"], bias = p[layer.Name + ".bias"];
                    if (sequence)
                    {
                        for (int b = 0; b < _batch; b++)
                        {
                            for (int t = 0; t < lengths[b]; t++)
                            {
                                x[b][t] = Dense(w, bias, x[b][t], layer.Size, layer.Activation);
                            }
                        }
                    }
                    else
                    {
                        for (int b = 0; b < _batch; b++)
                        {
                            flat![b] = Dense(w, bias, flat[b], layer.Size, layer.Activation);
                        }
                    }

                    features = layer.Size;
                    break;
                default:
                    int directions = layer.Bidirectional ? 2 : 1;
                    int h = layer.Size, k = layer.StateSize;
                    for (int l = 0; l < layer.NumLayers; l++)
                    {
                        var next = new double[_batch][][];
                        var last = new double[_batch][];
                        for (int b = 0; b < _batch; b++)
                        {
                            next[b] = new double[_steps][];
                            for (int t = 0; t < _steps; t++)
                            {
                                next[b][t] = new double[directions * k];
                            }

                            last[b] = new double[directions * k];
                            for (int d = 0; d < directions; d++)
                            {
                                string suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                                int stateIndex = l * directions + d;
                                double[] hState = Start(layer, p, initialState, ".h0", stateIndex, b, k);
                                double[] cState = Start(layer, p, initialState, ".c0", stateIndex, b, h);
                                for (int s = 0; s < lengths[b]; s++)
                                {
                                    int t = d == 0 ? s : lengths[b] - 1 - s;
                                    (hState, cState) = Cell(layer, p, suffix, x[b][t], hState, cState);
                                    Array.Copy(hState, 0, next[b][t], d * k, k);
                                }

                                Array.Copy(hState, 0, last[b], d * k, k);
                                Store(finalStates, layer.Name + ".h_n", layer.NumLayers * directions, stateIndex, b, hState);
                                if (layer.Kind == "lstm")
                                {
                                    Store(finalStates, layer.Name + ".c_n", layer.NumLayers * directions, stateIndex, b, cState);
                                }

                                extra += Dot(Slice(finalStateWeights, layer.Name + ".h_n", stateIndex, b, k), hState);
                                if (layer.Kind == "lstm")
                                {
                                    extra += Dot(Slice(finalStateWeights, layer.Name + ".c_n", stateIndex, b, h), cState);
                                }
                            }
                        }

                        x = next;
                        features = directions * k;
                        if (l == layer.NumLayers - 1 && !layer.ReturnSequences)
                        {
                            sequence = false;
                            flat = last;
                        }
                    }

                    break;
            }
        }

        return (x, flat, sequence, features, extra);
    }

    private double SequenceLoss(double[][][] y, int[] lengths, int features, double[]? target, int[]? classes)
    {
        double sum = 0;
        int count = 0;
        for (int b = 0; b < _batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                sum += _loss switch
                {
                    "mse" => SquaredError(y[b][t], target!, (b * _steps + t) * features),
                    "ce" => CrossEntropy(y[b][t], classes![b * _steps + t]),
                    _ => Dot(target!, y[b][t], (b * _steps + t) * features), // no loss: a fixed linear functional
                };
                count++;
            }
        }

        return _loss == "mse" ? sum / (count * features) : _loss == "ce" ? sum / count : sum;
    }

    private double RowLoss(double[][] y, int features, double[]? target, int[]? classes)
    {
        double sum = 0;
        for (int b = 0; b < _batch; b++)
        {
            sum += _loss switch
            {
                "mse" => SquaredError(y[b], target!, b * features),
                "ce" => CrossEntropy(y[b], classes![b]),
                _ => Dot(target!, y[b], b * features),
            };
        }

        return _loss == "mse" ? sum / (_batch * features) : _loss == "ce" ? sum / _batch : sum;
    }

    private static (double[] H, double[] C) Cell(ReferenceLayer layer, IReadOnlyDictionary<string, double[]> p, string suffix, double[] x, double[] h, double[] c)
    {
        string name = layer.Name + ".";
        double[] wih = p[name + "weight_ih" + suffix], whh = p[name + "weight_hh" + suffix];
        int n = layer.Size;
        int gates = (layer.Kind == "lstm" ? 4 : layer.Kind == "gru" ? 3 : 1) * n;
        var gx = new double[gates];
        var gh = new double[gates];
        for (int g = 0; g < gates; g++)
        {
            gx[g] = Dot(wih, x, g * x.Length);
            gh[g] = Dot(whh, h, g * h.Length);
        }

        if (layer.LayerNorm)
        {
            // Ba et al.: each product normalised over all 4H gates, with its own gain and bias instead of b_ih, b_hh.
            gx = LayerNorm(gx, p[name + "layer_norm_ih_weight" + suffix], p[name + "layer_norm_ih_bias" + suffix]);
            gh = LayerNorm(gh, p[name + "layer_norm_hh_weight" + suffix], p[name + "layer_norm_hh_bias" + suffix]);
        }
        else
        {
            double[] bih = p[name + "bias_ih" + suffix], bhh = p[name + "bias_hh" + suffix];
            for (int g = 0; g < gates; g++)
            {
                gx[g] += bih[g];
                gh[g] += bhh[g];
            }
        }

        var hNew = new double[n];
        var cNew = new double[n];
        for (int j = 0; j < n; j++)
        {
            switch (layer.Kind)
            {
                case "lstm":
                    double ai = gx[j] + gh[j], af = gx[n + j] + gh[n + j], ao = gx[3 * n + j] + gh[3 * n + j];
                    if (layer.Peephole)
                    {
                        ai += p[name + "weight_ci" + suffix][j] * c[j];
                        af += p[name + "weight_cf" + suffix][j] * c[j];
                    }

                    double i = Sigmoid(ai), f = Sigmoid(af), gg = Math.Tanh(gx[2 * n + j] + gh[2 * n + j]);
                    cNew[j] = f * c[j] + i * gg;
                    if (layer.Peephole)
                    {
                        ao += p[name + "weight_co" + suffix][j] * cNew[j];
                    }

                    hNew[j] = Sigmoid(ao); // o, until the cell state is complete
                    break;
                case "gru":
                    double r = Sigmoid(gx[j] + gh[j]), z = Sigmoid(gx[n + j] + gh[n + j]);
                    double nn = Math.Tanh(gx[2 * n + j] + r * gh[2 * n + j]);
                    hNew[j] = (1 - z) * nn + z * h[j];
                    break;
                case "rnn_relu":
                    hNew[j] = Math.Max(0, gx[j] + gh[j]);
                    break;
                default:
                    hNew[j] = Math.Tanh(gx[j] + gh[j]);
                    break;
            }
        }

        if (layer.Kind != "lstm")
        {
            return (hNew, cNew);
        }

        // m = o⊙tanh(c') (or o⊙tanh(LN_c(c'))); h' = m, or W_hr·m with a projection.
        double[] squashed = layer.LayerNorm ? LayerNorm(cNew, p[name + "layer_norm_c_weight" + suffix], p[name + "layer_norm_c_bias" + suffix]) : cNew;
        for (int j = 0; j < n; j++)
        {
            hNew[j] *= Math.Tanh(squashed[j]);
        }

        if (layer.Projection > 0)
        {
            double[] whr = p[name + "weight_hr" + suffix];
            var projected = new double[layer.Projection];
            for (int q = 0; q < projected.Length; q++)
            {
                projected[q] = Dot(whr, hNew, q * n);
            }

            hNew = projected;
        }

        return (hNew, cNew);
    }

    /// <summary>PyTorch's layer norm over the whole vector: biased variance, ε = 1e-5.</summary>
    private static double[] LayerNorm(double[] v, double[] weight, double[] bias)
    {
        double mean = 0, variance = 0;
        foreach (double e in v)
        {
            mean += e;
        }

        mean /= v.Length;
        foreach (double e in v)
        {
            variance += (e - mean) * (e - mean);
        }

        double inverse = 1 / Math.Sqrt(variance / v.Length + 1e-5);
        var y = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            y[i] = (v[i] - mean) * inverse * weight[i] + bias[i];
        }

        return y;
    }

    private static double[] Dense(double[] w, double[] bias, double[] x, int outputs, string activation)
    {
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double z = bias[o] + Dot(w, x, o * x.Length);
            y[o] = activation switch
            {
                "tanh" => Math.Tanh(z),
                "relu" => Math.Max(0, z),
                "sigmoid" => Sigmoid(z),
                _ => z,
            };
        }

        return y;
    }

    /// <summary>
    /// Where a direction starts: row b of the given state set when it holds this layer's state (InitialState, or a
    /// carried one), else the learned state (name.h0 / name.c0 [L·D, width], the same for every row), else zeros.
    /// </summary>
    private double[] Start(ReferenceLayer layer, IReadOnlyDictionary<string, double[]> p, IReadOnlyDictionary<string, double[]>? set, string state, int index, int b, int width)
    {
        string name = layer.Name + state;
        if ((set is not null && set.ContainsKey(name)) || !layer.LearnInitialState || !p.TryGetValue(name, out double[]? learned))
        {
            return Slice(set, name, index, b, width);
        }

        var v = new double[width];
        Array.Copy(learned, index * width, v, 0, width);
        return v;
    }

    /// <summary>Row b of state index (layer·directions + direction) in a [L·D, B, H] state tensor; zeros when absent.</summary>
    private double[] Slice(IReadOnlyDictionary<string, double[]>? set, string name, int index, int b, int h)
    {
        var v = new double[h];
        if (set is not null && set.TryGetValue(name, out double[]? values))
        {
            Array.Copy(values, (index * _batch + b) * h, v, 0, h);
        }

        return v;
    }

    /// <summary>Writes row b of state index (layer·directions + direction) into a [L·D, B, H] state tensor, created on first use.</summary>
    private void Store(Dictionary<string, double[]>? set, string name, int states, int index, int b, double[] value)
    {
        if (set is null)
        {
            return;
        }

        if (!set.TryGetValue(name, out double[]? values))
        {
            values = new double[states * _batch * value.Length];
            set[name] = values;
        }

        Array.Copy(value, 0, values, (index * _batch + b) * value.Length, value.Length);
    }

    private static double[] Row(double[] table, int row, int width)
    {
        var v = new double[width];
        Array.Copy(table, row * width, v, 0, width);
        return v;
    }

    private static double Dot(double[] w, double[] x, int offset = 0)
    {
        double s = 0;
        for (int k = 0; k < x.Length; k++)
        {
            s += w[offset + k] * x[k];
        }

        return s;
    }

    private static double SquaredError(double[] y, double[] target, int offset)
    {
        double s = 0;
        for (int j = 0; j < y.Length; j++)
        {
            double d = y[j] - target[offset + j];
            s += d * d;
        }

        return s;
    }

    private static double CrossEntropy(double[] logits, int label)
    {
        double max = double.NegativeInfinity;
        foreach (double v in logits)
        {
            max = Math.Max(max, v);
        }

        double z = 0;
        foreach (double v in logits)
        {
            z += Math.Exp(v - max);
        }

        return Math.Log(z) + max - logits[label];
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
