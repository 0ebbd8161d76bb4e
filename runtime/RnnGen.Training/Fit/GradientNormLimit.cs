using System;

namespace RnnGen.Training;

/// <summary>The check of a <c>ClipGradientNorm</c> setting, shared by <see cref="Trainer"/> and <see cref="EncoderDecoder"/>.</summary>
internal static class GradientNormLimit
{
    /// <summary>Returns <paramref name="value"/> when it is finite and above 0, or null (no clipping); throws otherwise.</summary>
    public static float? Checked(float? value) =>
        value is float norm && !(norm > 0 && float.IsFinite(norm))
            ? throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite and > 0, or null.")
            : value;
}
