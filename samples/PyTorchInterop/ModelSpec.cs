using System.Text.Json;
using System.Text.Json.Serialization;
using RnnGen;

namespace PyTorchInterop;

/// <summary>
/// The model as interop.py builds it (JSON in each file's metadata, key "spec"): nn.LSTM or nn.GRU named
/// <see cref="Name"/>, batch-first, then nn.Linear "fc" on every step or, with <see cref="LastOnly"/>, on the top
/// layer's final states (RnnGen's <c>ReturnSequences = false</c>).
/// </summary>
public sealed record ModelSpec(
    [property: JsonPropertyName("cell")] string Cell,
    [property: JsonPropertyName("input")] int Input,
    [property: JsonPropertyName("hidden")] int Hidden,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("bidirectional")] bool Bidirectional,
    [property: JsonPropertyName("last_only")] bool LastOnly,
    [property: JsonPropertyName("out")] int Out,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("name")] string Name)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>
    /// Reads the spec off a generated model: its constants, and its parameter shapes under <paramref name="name"/>
    /// (weight_hh_l0 is [gates·H, H]: 4 gates for an LSTM, 3 for a GRU; one weight_ih per layer; _reverse when bidirectional).
    /// </summary>
    public static ModelSpec Of(IRnnModel model, string name)
    {
        int[] hh = model.Parameters.GetShape($"{name}.weight_hh_l0");
        int hidden = hh[1], gates = hh[0] / hidden;
        int layers = 0;
        while (model.Parameters.Contains($"{name}.weight_ih_l{layers}"))
        {
            layers++;
        }

        string cell = gates switch
        {
            4 => "lstm",
            3 => "gru",
            _ => throw new System.NotSupportedException($"{name} has {gates} gates: PyTorch's nn.LSTM has 4, nn.GRU 3."),
        };
        return new ModelSpec(cell, model.InputSize, hidden, layers, model.Parameters.Contains($"{name}.weight_ih_l0_reverse"),
            !model.SequenceOutput, model.OutputSize, model.SequenceLength, name);
    }

    public static ModelSpec FromJson(string json) =>
        JsonSerializer.Deserialize<ModelSpec>(json) ?? throw new JsonException("The spec is null.");

    /// <summary>What the model is, in PyTorch's terms.</summary>
    public string Describe()
    {
        string module = Cell == "lstm" ? "nn.LSTM" : "nn.GRU";
        string options = (Layers > 1 ? $", num_layers={Layers}" : "") + (Bidirectional ? ", bidirectional=True" : "");
        string head = LastOnly ? "on h_n" : "at every step";
        return $"{module}({Input}, {Hidden}{options}) + nn.Linear({Hidden * (Bidirectional ? 2 : 1)}, {Out}) {head}";
    }

    /// <summary>Checks that a generated model has the sizes of this spec (the names and shapes of each tensor are checked on load).</summary>
    public void RequireMatches(IRnnModel model, string what)
    {
        if (model.SequenceLength != Steps || model.InputSize != Input || model.OutputSize != Out || model.SequenceOutput == LastOnly)
        {
            throw new System.InvalidOperationException(
                $"{what}: the file holds {Describe()} over {Steps} steps, but the C# declaration has T = {model.SequenceLength}, "
                + $"I = {model.InputSize}, O = {model.OutputSize}, {(model.SequenceOutput ? "sequence" : "last-step")} output: keep Models.cs and interop.py in step.");
        }
    }
}
