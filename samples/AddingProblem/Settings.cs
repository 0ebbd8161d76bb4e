namespace AddingProblem;

/// <summary>Data sizes and training settings shared by every experiment of a run.</summary>
public sealed record Settings(int TrainCount, int ValidationCount, int TestCount, int Epochs, float LearningRate, float ClipNorm)
{
    /// <summary>The run the README reports: every model sees the same 160,000 training sequences (20 epochs of 8,000),
    /// which keeps the six trainings within about 3 minutes on a shared 2-core machine.</summary>
    public static Settings Full => new(TrainCount: 8000, ValidationCount: 1000, TestCount: 2000, Epochs: 20, LearningRate: 2e-3f, ClipNorm: 1f);

    /// <summary>A smoke run of seconds: too short to learn anything, long enough to run every path.</summary>
    public static Settings Quick => new(TrainCount: 640, ValidationCount: 200, TestCount: 200, Epochs: 2, LearningRate: 2e-3f, ClipNorm: 1f);
}
