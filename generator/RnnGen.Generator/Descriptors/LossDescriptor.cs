using System;
using System.Globalization;

namespace RnnGen.Generator;

/// <summary>
/// What the generator knows of one loss: its target's element type and shape, the runtime kernel it calls
/// (every kernel has the same leading arguments, so the emitter writes any of them the same way) and its
/// options. A new loss is one descriptor here, one kernel in the runtime's <c>LossOps</c>, and its tests.
/// </summary>
internal abstract class LossDescriptor
{
    public static LossDescriptor For(LossKind kind) => kind switch
    {
        LossKind.SoftmaxCrossEntropy => CrossEntropy.Instance,
        LossKind.MeanSquaredError => Regression.SquaredError,
        LossKind.BinaryCrossEntropyWithLogits => Regression.BinaryCrossEntropy,
        LossKind.Huber => Regression.Huber,
        LossKind.MeanAbsoluteError => Regression.AbsoluteError,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>In the topology summary.</summary>
    public abstract string Summary(LossSpec loss);

    /// <summary>Class ids (<c>int</c>, one per position) rather than values shaped like the output (<c>float</c>).</summary>
    public abstract bool ClassTargets { get; }

    /// <summary>The <c>LossOps</c> method.</summary>
    public abstract string Kernel { get; }

    /// <summary>Arguments after the common ones (options), with a leading ", ", or "".</summary>
    public virtual string Options(LossSpec loss) => "";

    private sealed class CrossEntropy : LossDescriptor
    {
        public static readonly CrossEntropy Instance = new();

        public override bool ClassTargets => true;

        public override string Kernel => "SoftmaxCrossEntropy";

        public override string Summary(LossSpec loss) => "softmax cross-entropy" +
            (loss.IgnoreIndex >= 0 ? $", class {loss.IgnoreIndex.ToString(CultureInfo.InvariantCulture)} ignored" : "");

        public override string Options(LossSpec loss) => ", ignoreIndex: " + loss.IgnoreIndex.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class Regression : LossDescriptor
    {
        public static readonly Regression SquaredError = new("MeanSquaredError", "mean squared error");
        public static readonly Regression BinaryCrossEntropy = new("BinaryCrossEntropyWithLogits", "binary cross-entropy with logits");
        public static readonly Regression Huber = new("Huber", "Huber");
        public static readonly Regression AbsoluteError = new("MeanAbsoluteError", "mean absolute error");

        private readonly string _summary;

        private Regression(string kernel, string summary)
        {
            Kernel = kernel;
            _summary = summary;
        }

        public override bool ClassTargets => false;

        public override string Kernel { get; }

        public override string Summary(LossSpec loss) => ReferenceEquals(this, Huber)
            ? $"{_summary}, delta {Float(loss.Delta)}"
            : _summary;

        public override string Options(LossSpec loss) => ReferenceEquals(this, Huber) ? $", delta: {Float(loss.Delta)}f" : "";

        private static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture);
    }
}
