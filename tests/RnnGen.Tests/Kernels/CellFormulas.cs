using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Kernels;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// One row of one step of every cell, forward and backward, as plain double-precision formulas written from the
/// papers and make_cells_reference.py (not from the kernels): the oracle of <see cref="CellKernelTests"/>. Buffers
/// go in and come out by their <see cref="CellRow"/>/<see cref="CellParameters"/> names; what a step does not
/// write comes out as it went in. The backward formulas are checked against central differences of the forward.
/// </summary>
internal static class CellFormulas
{
    private const double NormEpsilon = 1e-5;

    public static Dictionary<string, double[]> Forward(RecurrentCellKind kind, int h, Dictionary<string, double[]> input)
    {
        Dictionary<string, double[]> b = Copy(input);
        double[] gates = b["Gates"], output = b["Output"];
        switch (kind)
        {
            case RecurrentCellKind.SimpleRnnTanh:
            case RecurrentCellKind.SimpleRnnRelu:
                for (int j = 0; j < h; j++)
                {
                    double a = gates[j];
                    gates[j] = output[j] = kind == RecurrentCellKind.SimpleRnnRelu ? Math.Max(a, 0) : Math.Tanh(a);
                }

                break;
            case RecurrentCellKind.Gru:
                double[] hg = b["HiddenGates"], hPrev = b["StatePrev"];
                for (int j = 0; j < h; j++)
                {
                    double r = Sigmoid(gates[j] + hg[j]), z = Sigmoid(gates[h + j] + hg[h + j]);
                    double n = Math.Tanh(gates[(2 * h) + j] + (r * hg[(2 * h) + j]));
                    (gates[j], gates[h + j], gates[(2 * h) + j]) = (r, z, n);
                    output[j] = ((1 - z) * n) + (z * hPrev[j]);
                }

                break;
            default:
                LstmForward(kind, h, b);
                break;
        }

        return b;
    }

    public static Dictionary<string, double[]> Backward(RecurrentCellKind kind, int h, Dictionary<string, double[]> input)
    {
        Dictionary<string, double[]> b = Copy(input);
        double[] gates = b["Gates"], dh = b["OutputGradient"], dGates = b["GatesGradient"];
        switch (kind)
        {
            case RecurrentCellKind.SimpleRnnTanh:
            case RecurrentCellKind.SimpleRnnRelu:
                for (int j = 0; j < h; j++)
                {
                    double y = gates[j];
                    dGates[j] = kind == RecurrentCellKind.SimpleRnnRelu ? (y > 0 ? dh[j] : 0) : dh[j] * (1 - (y * y));
                    dh[j] = 0;
                }

                break;
            case RecurrentCellKind.Gru:
                double[] hg = b["HiddenGates"], hPrev = b["StatePrev"], dHidden = b["HiddenGatesGradient"];
                for (int j = 0; j < h; j++)
                {
                    double r = gates[j], z = gates[h + j], n = gates[(2 * h) + j];
                    double dn = dh[j] * (1 - z) * (1 - (n * n));
                    double dz = dh[j] * (hPrev[j] - n) * z * (1 - z);
                    double dr = dn * hg[(2 * h) + j] * r * (1 - r);
                    (dGates[j], dGates[h + j], dGates[(2 * h) + j]) = (dr, dz, dn);
                    (dHidden[j], dHidden[h + j], dHidden[(2 * h) + j]) = (dr, dz, dn * r);
                    dh[j] *= z; // h' = ... + z⊙h(t−1): the part of dL/dh(t−1) outside W_hh
                }

                break;
            default:
                LstmBackward(kind, h, b);
                break;
        }

        return b;
    }

    /// <summary>
    /// a = gates (+ LN_hh(hidden gates)); i = σ(a_i + w_ci⊙c), f = σ(a_f + w_cf⊙c), g = tanh(a_g), c' = f⊙c + i⊙g,
    /// o = σ(a_o + w_co⊙c'), h = o⊙tanh(c') or o⊙tanh(LN_c(c')).
    /// </summary>
    private static void LstmForward(RecurrentCellKind kind, int h, Dictionary<string, double[]> b)
    {
        bool peephole = CellBuffers.HasPeephole(kind), norm = CellBuffers.HasLayerNorm(kind);
        double[] gates = b["Gates"], c = b["CellPrev"], next = b["CellNext"], output = b["Output"];
        if (norm)
        {
            double[] hidden = b["HiddenGates"];
            (double mean, double inverse) = Statistics(hidden);
            for (int k = 0; k < 4 * h; k++)
            {
                gates[k] += ((hidden[k] - mean) * inverse * b["NormHiddenWeight"][k]) + b["NormHiddenBias"][k];
            }

            b["Statistics"][0] = mean;
            b["Statistics"][1] = inverse;
        }

        for (int j = 0; j < h; j++)
        {
            double ai = gates[j], af = gates[h + j], ag = gates[(2 * h) + j], ao = gates[(3 * h) + j];
            if (peephole)
            {
                ai += b["PeepholeInput"][j] * c[j];
                af += b["PeepholeForget"][j] * c[j];
            }

            double i = Sigmoid(ai), f = Sigmoid(af), g = Math.Tanh(ag);
            next[j] = (f * c[j]) + (i * g);
            if (peephole)
            {
                ao += b["PeepholeOutput"][j] * next[j];
            }

            (gates[j], gates[h + j], gates[(2 * h) + j], gates[(3 * h) + j]) = (i, f, g, Sigmoid(ao));
        }

        double cellMean = 0, cellInverse = 1;
        if (norm)
        {
            (cellMean, cellInverse) = Statistics(next);
            b["Statistics"][2] = cellMean;
            b["Statistics"][3] = cellInverse;
        }

        for (int j = 0; j < h; j++)
        {
            double squashed = norm ? ((next[j] - cellMean) * cellInverse * b["NormCellWeight"][j]) + b["NormCellBias"][j] : next[j];
            output[j] = gates[(3 * h) + j] * Math.Tanh(squashed);
        }
    }

    /// <summary>
    /// Given the forward step's activations, dL/dh and dL/dc(t): the pre-activation gradients, dL/dc(t−1), the
    /// hidden product's gradient through LN_hh, and the parameter gradients added.
    /// </summary>
    private static void LstmBackward(RecurrentCellKind kind, int h, Dictionary<string, double[]> b)
    {
        bool peephole = CellBuffers.HasPeephole(kind), norm = CellBuffers.HasLayerNorm(kind);
        double[] gates = b["Gates"], previous = b["CellPrev"], next = b["CellNext"];
        double[] dh = b["OutputGradient"], dCell = b["CellGradient"], dGates = b["GatesGradient"];
        var dc = new double[h];
        var dOutputGate = new double[h];
        if (norm)
        {
            // ĉ = x̂⊙γ + β with x̂ = (c' − μ)/σ; dL/dc' through LN: (g − mean(g) − x̂·mean(g⊙x̂))/σ, g = dĉ⊙γ.
            double mean = b["Statistics"][2], inverse = b["Statistics"][3];
            var standardized = new double[h];
            var g = new double[h];
            for (int j = 0; j < h; j++)
            {
                standardized[j] = (next[j] - mean) * inverse;
                double t = Math.Tanh((standardized[j] * b["NormCellWeight"][j]) + b["NormCellBias"][j]);
                double o = gates[(3 * h) + j];
                double dNormalized = dh[j] * o * (1 - (t * t));
                b["NormCellWeightGradient"][j] += dNormalized * standardized[j];
                b["NormCellBiasGradient"][j] += dNormalized;
                g[j] = dNormalized * b["NormCellWeight"][j];
                dOutputGate[j] = dh[j] * t * o * (1 - o);
            }

            double meanG = g.Average(), meanGx = g.Zip(standardized, (x, y) => x * y).Average();
            for (int j = 0; j < h; j++)
            {
                dc[j] = dCell[j] + (inverse * (g[j] - meanG - (standardized[j] * meanGx)));
            }
        }
        else
        {
            for (int j = 0; j < h; j++)
            {
                double t = Math.Tanh(next[j]), o = gates[(3 * h) + j];
                dc[j] = dCell[j] + (dh[j] * o * (1 - (t * t)));
                dOutputGate[j] = dh[j] * t * o * (1 - o);
            }
        }

        for (int j = 0; j < h; j++)
        {
            double i = gates[j], f = gates[h + j], g = gates[(2 * h) + j];
            if (peephole)
            {
                dc[j] += dOutputGate[j] * b["PeepholeOutput"][j];
                b["PeepholeOutputGradient"][j] += dOutputGate[j] * next[j];
            }

            double di = dc[j] * g * i * (1 - i), df = dc[j] * previous[j] * f * (1 - f), dg = dc[j] * i * (1 - (g * g));
            double dPrevious = dc[j] * f;
            if (peephole)
            {
                dPrevious += (di * b["PeepholeInput"][j]) + (df * b["PeepholeForget"][j]);
                b["PeepholeInputGradient"][j] += di * previous[j];
                b["PeepholeForgetGradient"][j] += df * previous[j];
            }

            (dGates[j], dGates[h + j], dGates[(2 * h) + j], dGates[(3 * h) + j]) = (di, df, dg, dOutputGate[j]);
            dCell[j] = dPrevious;
            dh[j] = 0;
        }

        if (norm)
        {
            // The gates' gradient is LN_hh's output gradient.
            double[] hidden = b["HiddenGates"], dHidden = b["HiddenGatesGradient"], weight = b["NormHiddenWeight"];
            double mean = b["Statistics"][0], inverse = b["Statistics"][1];
            double[] standardized = hidden.Select(x => (x - mean) * inverse).ToArray();
            double[] g = dGates.Select((d, k) => d * weight[k]).ToArray();
            double meanG = g.Average(), meanGx = g.Zip(standardized, (x, y) => x * y).Average();
            for (int k = 0; k < 4 * h; k++)
            {
                dHidden[k] = inverse * (g[k] - meanG - (standardized[k] * meanGx));
                b["NormHiddenWeightGradient"][k] += dGates[k] * standardized[k];
                b["NormHiddenBiasGradient"][k] += dGates[k];
            }
        }
    }

    /// <summary>Mean and 1/√(biased variance + ε), as PyTorch's layer norm.</summary>
    private static (double Mean, double Inverse) Statistics(double[] x)
    {
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return (mean, 1 / Math.Sqrt(variance + NormEpsilon));
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static Dictionary<string, double[]> Copy(Dictionary<string, double[]> buffers) =>
        buffers.ToDictionary(p => p.Key, p => (double[])p.Value.Clone());
}
