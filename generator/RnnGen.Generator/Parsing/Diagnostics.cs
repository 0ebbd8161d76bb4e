using Microsoft.CodeAnalysis;

namespace RnnGen.Generator;

/// <summary>Every diagnostic the generator reports. Ids are stable; docs/diagnostics.md explains each.</summary>
internal static class Diagnostics
{
    private const string Category = "RnnGen";

    public static readonly DiagnosticDescriptor NotPartial = Error("RNNG001",
        "Model class must be partial",
        "The model class '{0}' must be declared 'partial' so RnnGen can add the generated members");

    public static readonly DiagnosticDescriptor Generic = Error("RNNG002",
        "Model class must not be generic",
        "The model class '{0}' must not be generic nor nested in a generic type: its shapes must be fixed at compile time");

    public static readonly DiagnosticDescriptor MissingModel = Error("RNNG003",
        "Layer attributes without [RnnModel]",
        "The class '{0}' declares RnnGen layers but no [RnnModel(SequenceLength = ..., BatchSize = ..., InputSize = ...)]");

    public static readonly DiagnosticDescriptor NotPositive = Error("RNNG004",
        "Size must be positive",
        "{0} must be a positive integer, but is {1}");

    public static readonly DiagnosticDescriptor InputSizeMismatch = Error("RNNG005",
        "InputSize does not fit the first layer",
        "{0}");

    public static readonly DiagnosticDescriptor EmbeddingNotFirst = Error("RNNG006",
        "Embedding must be the first layer",
        "[Embedding] '{0}' must be the first layer attribute and appear only once");

    public static readonly DiagnosticDescriptor LossNotLast = Error("RNNG007",
        "Loss must be last and appear once",
        "[Loss] must be the last attribute of the model and appear only once");

    public static readonly DiagnosticDescriptor NoRecurrentLayer = Error("RNNG008",
        "Model has no recurrent layer",
        "The model '{0}' needs at least one [SimpleRnn], [Lstm] or [Gru] layer");

    public static readonly DiagnosticDescriptor DropoutOutOfRange = Error("RNNG009",
        "Dropout out of range",
        "Dropout of layer '{0}' must be in [0, 1), but is {1}");

    public static readonly DiagnosticDescriptor DuplicateName = Error("RNNG010",
        "Duplicate layer name",
        "Two layers are named '{0}'; parameter names must be unique");

    public static readonly DiagnosticDescriptor InvalidName = Error("RNNG011",
        "Invalid layer name",
        "Layer name '{0}' is not valid: use letters, digits and '_' (not starting with a digit), optionally in '.'-separated parts");

    public static readonly DiagnosticDescriptor EnumOutOfRange = Error("RNNG012",
        "Enum value out of range",
        "{0} has the undefined value {1}");

    public static readonly DiagnosticDescriptor LayersOnSeveralParts = Error("RNNG013",
        "Layers declared on several partial parts",
        "The layers of model '{0}' are declared on more than one partial declaration; their order would be ambiguous");

    public static readonly DiagnosticDescriptor SequenceAfterLastStep = Error("RNNG014",
        "Recurrent layer after a layer that returns no sequence",
        "Recurrent layer '{0}' needs a sequence, but the layer before it has ReturnSequences = false");

    public static readonly DiagnosticDescriptor DuplicateModel = Error("RNNG015",
        "RnnModel declared more than once",
        "[RnnModel] is declared more than once on '{0}'");

    public static readonly DiagnosticDescriptor TooLarge = Error("RNNG016",
        "Model too large",
        "The model '{0}' needs {1} floats for one of its buffers, more than a .NET array can hold; reduce its sizes");

    public static readonly DiagnosticDescriptor NotAPlainClass = Error("RNNG017",
        "Model class must be a plain class",
        "The model class '{0}' must not be {1}: RnnGen adds instance members and a constructor to a 'partial class'");

    public static readonly DiagnosticDescriptor TooDeep = Error("RNNG018",
        "Model too deep",
        "The model '{0}' cannot be generated: {1}; stack fewer layers");

    public static readonly DiagnosticDescriptor NameCollision = Error("RNNG019",
        "Generated member names collide",
        "The name '{0}' makes the generated member '{1}' clash with another generated member or the class; rename the layer or the class");

    public static readonly DiagnosticDescriptor DropoutWithoutEffect = new("RNNG020",
        "Dropout has no effect on a single layer",
        "Dropout of layer '{0}' applies only between stacked layers, and it has NumLayers = 1: the dropout does nothing",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ProjectionTooLarge = Error("RNNG021",
        "Projection must be smaller than the hidden size",
        "ProjectionSize of layer '{0}' is {1}; it must be 0 (no projection) or between 1 and HiddenSize - 1 = {2}");

    public static readonly DiagnosticDescriptor NotFinite = Error("RNNG022",
        "Value out of range",
        "{0} is {1}; {2}");

    public static readonly DiagnosticDescriptor LargeBuffers = new("RNNG023",
        "Model buffers are large",
        "The model '{0}' allocates {1} MB when constructed (parameters {2} MB, gradients {2} MB, activations {3} MB, activation gradients {4} MB), above RnnGenBufferWarningMegabytes = {5}",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor OptionIgnored = new("RNNG024",
        "Loss option has no effect",
        "{0} applies only to {1}; it has no effect on LossKind.{2}",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
