using RnnGen;

namespace Forecasting;

/// <summary>
/// Reads the last 48 hourly changes of the series (standardised) and predicts the next change: the forecast is the
/// last value plus that change, so a model that outputs 0 is exactly the naive last-value forecast.
/// </summary>
[RnnModel(SequenceLength = Forecast.Window, BatchSize = 32, InputSize = 1)]
[Lstm(HiddenSize = 32, ReturnSequences = false, ForgetBias = 1, Name = "rnn")]
[Dense(OutputSize = 1, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class ChangeForecaster { }
