using System;
using System.Globalization;

namespace RnnGen;

/// <summary>Argument checks and conversions shared by the optimizers and schedules.</summary>
internal static class Hyperparameter
{
    /// <summary>
    /// The double the user meant by a float literal (0.9f gives 0.9, not 0.8999999761581421). PyTorch does
    /// its scalar math (bias corrections, 1 - beta) in Python doubles, so this keeps results within an ulp.
    /// </summary>
    public static double Decimal(float value) =>
        double.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);

    public static void NonNegative(float value, string name)
    {
        if (!(value >= 0) || float.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be a finite number >= 0.");
        }
    }

    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be a finite number >= 0.");
        }
    }

    public static void Finite(float value, string name)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be a finite number.");
        }
    }

    public static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be a finite number.");
        }
    }

    public static void Beta(float value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be in [0, 1).");
        }
    }

    public static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be >= 1.");
        }
    }

    public static void NonNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be >= 0.");
        }
    }
}
