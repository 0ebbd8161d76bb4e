namespace RnnGen;

/// <summary>Updates parameters in place from their gradients.</summary>
public interface IOptimizer
{
    /// <summary>The step size of the next <see cref="Step"/>; schedules set it between steps.</summary>
    float LearningRate { get; set; }

    /// <summary>
    /// Applies one update. <paramref name="gradients"/> must have the same tensor names, order and shapes
    /// as <paramref name="parameters"/>; a mismatch throws <see cref="System.ArgumentException"/>.
    /// </summary>
    void Step(ParameterSet parameters, ParameterSet gradients);

    /// <summary>A copy of everything a resumed run needs: state tensors, step count, learning rate.</summary>
    OptimizerState GetState();

    /// <summary>
    /// Restores a state from <see cref="GetState"/> of the same kind of optimizer on the same parameters;
    /// throws <see cref="System.ArgumentException"/> on a mismatch and changes nothing then.
    /// </summary>
    void SetState(OptimizerState state);
}
