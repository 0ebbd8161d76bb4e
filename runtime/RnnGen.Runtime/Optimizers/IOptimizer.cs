namespace RnnGen;

/// <summary>Updates parameters in place from their gradients.</summary>
public interface IOptimizer
{
    /// <summary>
    /// Applies one update. <paramref name="gradients"/> must have the same tensor names, order and shapes
    /// as <paramref name="parameters"/>; a mismatch throws <see cref="System.ArgumentException"/>.
    /// </summary>
    void Step(ParameterSet parameters, ParameterSet gradients);
}
