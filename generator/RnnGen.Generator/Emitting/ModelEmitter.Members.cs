using System.Linq;

namespace RnnGen.Generator;

/// <summary>The constructor (allocation and initialisation) and the public members other than the passes.</summary>
internal sealed partial class ModelEmitter
{
    private void WriteConstructor()
    {
        _w.Line("/// <summary>Allocates every buffer once and initialises the weights from <paramref name=\"seed\"/> with PyTorch's default distributions.</summary>");
        _w.Open($"public {Spec.ClassName}(int seed = 0)");
        // Each buffer is allocated under its owner's name: when memory runs out, the exception names the model, the buffer and its size.
        _w.Line($"Parameters = new {Runtime}ParameterSet(ParameterShapes(), \"{Owner} parameters\");");
        _w.Line($"Gradients = new {Runtime}ParameterSet(ParameterShapes(), \"{Owner} gradients\");");
        _w.Line($"InitialState = new {Runtime}ParameterSet(StateShapes(initial: true), \"{Owner} initial state\");");
        _w.Line($"FinalState = new {Runtime}ParameterSet(StateShapes(initial: false), \"{Owner} final state\");");
        _w.Line($"InitialStateGradient = new {Runtime}ParameterSet(StateShapes(initial: true), \"{Owner} initial-state gradient\");");
        _w.Line($"FinalStateGradient = new {Runtime}ParameterSet(StateShapes(initial: false), \"{Owner} final-state gradient\");");
        _w.Line($"{Kernels}ModelGuard.RequireLayout(Parameters, [{string.Join(", ", _plan.Parameters.Slots.Select(s => "P" + s.Name))}]);");
        _w.Line($"{Kernels}ModelGuard.RequireLayout(InitialState, [{string.Join(", ", _plan.States.Slots.Select(s => "S" + s.Name))}]);");
        _w.Line($"var random = new {Runtime}DeterministicRandom(unchecked((ulong)seed));");
        _w.Line($"{Span} p = Parameters.Data;");
        foreach (Parameter parameter in _plan.ParameterList)
        {
            WriteInitialization(parameter);
        }

        _w.Line("Parameters.EndDirectWrites(); // initialised: the kernels may keep their packed weights between calls");
        _w.Line($"_dropoutRandom = new {Runtime}DeterministicRandom(unchecked((ulong)seed) ^ 0x9E3779B97F4A7C15UL);");
        _w.Close();
        _w.Line();

        _w.Line("private static (string Name, int[] Shape)[] ParameterShapes() =>");
        _w.Line("[");
        foreach (Parameter parameter in _plan.ParameterList)
        {
            _w.Line($"    (\"{parameter.TensorName}\", [{string.Join(", ", parameter.Shape)}]),");
        }

        _w.Line("];");
        _w.Line();
        _w.Line("private static (string Name, int[] Shape)[] StateShapes(bool initial) =>");
        _w.Line("[");
        foreach (StateTensor state in _plan.StateTensors)
        {
            _w.Line($"    (initial ? \"{state.InitialName}\" : \"{state.FinalName}\", [{state.Count}, BatchSize, {state.Width}]),");
        }

        _w.Line("];");
        _w.Line();
    }

    private void WriteInitialization(Parameter parameter)
    {
        Initialization init = parameter.Init;
        string target = $"p.Slice(P{parameter.Slot.Name}, {N(parameter.Slot.Length)})";
        switch (init.Kind)
        {
            case InitKind.Normal:
                _w.Line($"random.FillNormal({target}); // {parameter.TensorName} ~ N(0, 1)");
                break;
            case InitKind.Uniform:
                string bound = ModelPlanner.Float(init.Bound);
                _w.Line($"random.FillUniform({target}, -{bound}f, {bound}f); // {parameter.TensorName} ~ U(-{bound}, {bound})");
                break;
            case InitKind.Ones:
                _w.Line($"{target}.Fill(1f); // {parameter.TensorName} = 1");
                break;
            case InitKind.Zeros:
                _w.Line($"// {parameter.TensorName} = 0");
                break;
        }

        if (init.SliceLength > 0)
        {
            string value = ModelPlanner.Float(init.SliceValue);
            _w.Line($"p.Slice(P{parameter.Slot.Name} + {init.SliceStart}, {init.SliceLength}).Fill({value}f); // {parameter.TensorName}[{init.SliceStart}..{init.SliceStart + init.SliceLength}): the forget gate's, = {value}");
        }
    }

    private void WriteProperties()
    {
        _w.Line("/// <summary>Weights and biases under PyTorch <c>state_dict</c> names.</summary>");
        _w.Line($"public {Runtime}ParameterSet Parameters {{ get; }}");
        _w.Line("/// <summary>dLoss/dParameters, accumulated by Backward until <see cref=\"ZeroGradients\"/>.</summary>");
        _w.Line($"public {Runtime}ParameterSet Gradients {{ get; }}");
        _w.Line("/// <summary>Initial hidden (and LSTM cell) state of each recurrent layer, <c>[layers·directions, B, H]</c> like PyTorch's h_0; zero unless set.</summary>");
        _w.Line($"public {Runtime}ParameterSet InitialState {{ get; }}");
        _w.Line("/// <summary>State after each row's last valid step (PyTorch's h_n, c_n), written by Forward and by Step.</summary>");
        _w.Line($"public {Runtime}ParameterSet FinalState {{ get; }}");
        _w.Line("/// <summary>dLoss/dInitialState, accumulated by Backward.</summary>");
        _w.Line($"public {Runtime}ParameterSet InitialStateGradient {{ get; }}");
        _w.Line("/// <summary>dLoss/dFinalState from a consumer of the final state (a decoder); Backward adds it, and never clears it.</summary>");
        _w.Line($"public {Runtime}ParameterSet FinalStateGradient {{ get; }}");
        _w.Line("/// <summary>When true, each Forward starts from the previous Forward's final state (streaming, truncated BPTT).</summary>");
        _w.Line("public bool CarryState { get; set; }");
        _w.Line("/// <summary>When true, dropout between stacked layers is active (inverted dropout from <see cref=\"DropoutRandom\"/>); when false it is the identity.</summary>");
        _w.Line("public bool Training { get; set; }");
        _w.Line("/// <summary>The generator dropout draws from (seeded from the constructor's seed); a training checkpoint saves its state.</summary>");
        _w.Line($"public {Runtime}DeterministicRandom DropoutRandom => _dropoutRandom;");
        if (_plan.Embedding is null)
        {
            _w.Line("/// <summary>dLoss/dInput <c>[rows,T,I]</c> from the last Backward, of its rows (0 at padded steps).</summary>");
            _w.Line($"public {ReadOnlySpan} InputGradient => global::System.MemoryExtensions.AsSpan(_inputGradient, 0, _gradientRows * SequenceLength * InputSize);");
        }

        _w.Line();
        _w.Line("/// <summary>Zeroes the parameter and initial-state gradients.</summary>");
        _w.Open("public void ZeroGradients()");
        Guarded("ZeroGradients", () =>
        {
            _w.Line("Gradients.Clear();");
            _w.Line("InitialStateGradient.Clear();");
        });
        _w.Close();
        _w.Line();
    }

    /// <summary>What the runtime's model interfaces ask beyond the public members: the shapes as instance properties.</summary>
    private void WriteInterfaceMembers()
    {
        const string Model = "global::RnnGen.IRnnModel";
        _w.Line($"int {Model}.SequenceLength => SequenceLength;");
        _w.Line($"int {Model}.BatchSize => BatchSize;");
        _w.Line($"int {Model}.InputSize => InputSize;");
        _w.Line($"int {Model}.OutputSize => OutputSize;");
        _w.Line($"bool {Model}.TokenInput => {(_plan.Embedding is not null ? "true" : "false")};");
        _w.Line($"bool {Model}.SequenceOutput => {(_plan.SequenceOutput ? "true" : "false")};");
        _w.Line($"bool {Model}.CanStep => {(_plan.CanStep ? "true" : "false")};");
        if (_plan.Embedding is not null)
        {
            _w.Line($"{ReadOnlySpan} {Model}.InputGradient => default;");
        }

        if (Loss is not null)
        {
            string lossModel = $"global::RnnGen.ILossModel<{(Loss.Descriptor.ClassTargets ? "int" : "float")}>";
            _w.Line($"global::RnnGen.LossKind {lossModel}.LossKind => global::RnnGen.LossKind.{Loss.Kind};");
            _w.Line($"int {lossModel}.IgnoreIndex => {N(Loss.IgnoreIndex)};");
        }
        if (!_plan.CanStep)
        {
            _w.Line($"void {Model}<{InputType}>.Step(global::System.ReadOnlySpan<{InputType}> input, {Span} output) => throw new global::System.NotSupportedException(StepUnsupported);");
        }
    }
}
