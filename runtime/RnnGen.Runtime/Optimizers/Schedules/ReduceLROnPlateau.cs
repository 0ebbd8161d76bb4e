using System;

namespace RnnGen;

/// <summary>
/// torch.optim.lr_scheduler.ReduceLROnPlateau: multiplies the rate by <c>factor</c> once the monitored
/// metric has not improved for more than <c>patience</c> epochs, then waits <c>cooldown</c> epochs
/// before counting again; never below <c>minLr</c>, and a reduction smaller than <c>eps</c> is skipped.
/// Call <see cref="Step(double)"/> with the metric after each epoch.
/// </summary>
public sealed class ReduceLROnPlateau : ILearningRateSchedule
{
    private const string Kind = nameof(ReduceLROnPlateau);
    private const string LastEpochKey = "last_epoch";
    private const string BestKey = "best";
    private const string BadEpochsKey = "num_bad_epochs";
    private const string CooldownKey = "cooldown_counter";
    private const string LastKey = "last_lr";
    private static readonly string[] Keys = [LastEpochKey, BestKey, BadEpochsKey, CooldownKey, LastKey];
    private readonly LearningRateGroup _group;
    private double _last;

    /// <param name="factor">In [0, 1): the new rate is <c>rate * factor</c>.</param>
    /// <param name="patience">Epochs without improvement that are tolerated; the next one reduces the rate.</param>
    /// <param name="threshold">The least change that counts as an improvement, relative or absolute per <paramref name="thresholdMode"/>.</param>
    /// <param name="cooldown">Epochs after a reduction during which bad epochs are not counted.</param>
    /// <param name="minLr">The rate never goes below this.</param>
    /// <param name="eps">A reduction smaller than this is not applied.</param>
    public ReduceLROnPlateau(
        IOptimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0, double minLr = 0, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (mode is not (PlateauMode.Min or PlateauMode.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Must be Min or Max.");
        }

        if (thresholdMode is not (ThresholdMode.Relative or ThresholdMode.Absolute))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdMode), thresholdMode, "Must be Relative or Absolute.");
        }

        if (!(factor >= 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "Must be in [0, 1).");
        }

        Hyperparameter.NonNegative(patience, nameof(patience));
        Hyperparameter.NonNegative(threshold, nameof(threshold));
        Hyperparameter.NonNegative(cooldown, nameof(cooldown));
        Hyperparameter.NonNegative(minLr, nameof(minLr));
        Hyperparameter.NonNegative(eps, nameof(eps));
        Optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinLr = minLr;
        Eps = eps;
        _group = LearningRateGroup.Of(optimizer);
        _last = _group.Value;
        Best = WorstValue;
    }

    public IOptimizer Optimizer { get; }

    public PlateauMode Mode { get; }

    public double Factor { get; }

    public int Patience { get; }

    public double Threshold { get; }

    public ThresholdMode ThresholdMode { get; }

    public int Cooldown { get; }

    public double MinLr { get; }

    public double Eps { get; }

    /// <summary>Epochs stepped so far.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The best metric so far (+∞ in Min mode, -∞ in Max mode before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>Epochs since the last improvement, not counting cooldown (torch's <c>num_bad_epochs</c>).</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Epochs of cooldown left.</summary>
    public int CooldownCounter { get; private set; }

    public float LearningRate => (float)_last;

    internal double ExactLearningRate => _last;

    private double WorstValue => Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>Records the metric of the epoch just finished and reduces the rate if it has stopped improving.</summary>
    public void Step(double metric)
    {
        double best = Best;
        int bad = BadEpochs;
        int cooldown = CooldownCounter;
        if (IsBetter(metric, best))
        {
            best = metric;
            bad = 0;
        }
        else
        {
            bad++;
        }

        if (cooldown > 0)
        {
            cooldown--;
            bad = 0;   // bad epochs in cooldown do not count
        }

        if (bad > Patience)
        {
            double old = _group.Value;
            double reduced = Math.Max(old * Factor, MinLr);
            if (old - reduced > Eps)
            {
                _group.Value = reduced;
            }

            cooldown = Cooldown;
            bad = 0;
        }

        LastEpoch++;
        Best = best;
        BadEpochs = bad;
        CooldownCounter = cooldown;
        _last = _group.Value;
    }

    void ILearningRateSchedule.Step() =>
        throw new InvalidOperationException("ReduceLROnPlateau decides from a metric: call Step(metric) with the value it monitors, e.g. the validation loss.");

    public ScheduleState GetState()
    {
        var state = new ScheduleState(Kind);
        state.SetScalar(LastEpochKey, StateText.Format(LastEpoch));
        state.SetScalar(BestKey, StateText.Format(Best));
        state.SetScalar(BadEpochsKey, StateText.Format(BadEpochs));
        state.SetScalar(CooldownKey, StateText.Format(CooldownCounter));
        state.SetScalar(LastKey, StateText.Format(_last));
        return state;
    }

    public void SetState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind)
        {
            throw new ArgumentException($"The state was saved by a {state.Kind} schedule; this one is {Kind}.", nameof(state));
        }

        StateText.RejectUnknown(state.Scalars.Keys, Keys, Kind);
        int lastEpoch = StateText.ParseInt(state.Scalars, LastEpochKey, Kind, min: 0);
        double best = StateText.ParseDouble(state.Scalars, BestKey, Kind, finiteNonNegative: false);
        int bad = StateText.ParseInt(state.Scalars, BadEpochsKey, Kind, min: 0);
        int cooldown = StateText.ParseInt(state.Scalars, CooldownKey, Kind, min: 0);
        double last = StateText.ParseDouble(state.Scalars, LastKey, Kind, finiteNonNegative: true);
        LastEpoch = lastEpoch;
        Best = best;
        BadEpochs = bad;
        CooldownCounter = cooldown;
        _last = last;
    }

    private bool IsBetter(double metric, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => metric < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => metric > best * (Threshold + 1.0),
        _ => metric > best + Threshold,
    };
}
