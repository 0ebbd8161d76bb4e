using System.Linq;

namespace RnnGen.Generator;

/// <summary>The static memory plan: offsets of every tensor, and the buffers and kernel objects allocated once.</summary>
internal sealed partial class ModelEmitter
{
    private void WriteConstants()
    {
        _w.Line("/// <summary>Time steps per sequence.</summary>");
        _w.Line($"public const int SequenceLength = {T};");
        _w.Line("/// <summary>Most sequences per call; a call may pass fewer (the last batch of an epoch).</summary>");
        _w.Line($"public const int BatchSize = {B};");
        if (_plan.Embedding is EmbeddingSpec embedding)
        {
            _w.Line("/// <summary>Values per step of the input: one token id.</summary>");
            _w.Line("public const int InputSize = 1;");
            _w.Line("/// <summary>Number of distinct token ids.</summary>");
            _w.Line($"public const int VocabSize = {embedding.VocabSize};");
        }
        else
        {
            _w.Line("/// <summary>Features per step of the input.</summary>");
            _w.Line($"public const int InputSize = {_plan.InputFeatures};");
        }

        _w.Line("/// <summary>Features per step (or per sequence) of the output.</summary>");
        _w.Line($"public const int OutputSize = {_plan.OutputSize};");
        _w.Line();
    }

    private void WriteMemoryPlan()
    {
        _w.Line("// Static memory plan: offsets in floats, each slot sized for T steps of B rows; a call of fewer rows");
        _w.Line("// packs its [T,rows,·] data at the start of the slot. Parameters and Gradients share the P layout, the");
        _w.Line("// activation arena the A layout, the gradient arena the G layout, the state sets (and the stream) the S layout.");
        foreach (Slot slot in _plan.Parameters.Slots)
        {
            _w.Line($"private const int P{slot.Name} = {N(slot.Offset)}; // {slot.Shape}");
        }

        foreach (Slot slot in _plan.Activations.Slots)
        {
            _w.Line($"private const int A{slot.Name} = {N(slot.Offset)}; // {slot.Shape}");
        }

        foreach (Slot slot in _plan.Gradients.Slots)
        {
            _w.Line($"private const int G{slot.Name} = {N(slot.Offset)}; // {slot.Shape}");
        }

        foreach (Slot slot in _plan.States.Slots)
        {
            _w.Line($"private const int S{slot.Name} = {N(slot.Offset)}; // {slot.Shape}");
        }

        _w.Line();
    }

    private void WriteFields()
    {
        _w.Line($"private readonly {Runtime}AlignedBuffer _activations = new({N(_plan.Activations.Total)}, \"{Owner} activations\");");
        _w.Line($"private readonly {Runtime}AlignedBuffer _gradients = new({N(_plan.Gradients.Total)}, \"{Owner} activation gradients\");");
        if (_plan.CanStep)
        {
            _w.Line($"private readonly {Runtime}AlignedBuffer _stream = new({N(_plan.States.Total)}, \"{Owner} streaming state\"); // Step's state, S layout");
        }

        _w.Line("private readonly int[] _lengths = new int[BatchSize];");
        if (_plan.Embedding is not null)
        {
            _w.Line("private readonly int[] _tokens = new int[BatchSize * SequenceLength];");
        }
        else
        {
            _w.Line("private readonly float[] _inputGradient = new float[BatchSize * SequenceLength * InputSize];");
        }

        foreach (Stage stage in _plan.Stages)
        {
            switch (stage)
            {
                case RecurrentStage recurrent:
                    foreach (Direction d in recurrent.Directions)
                    {
                        string reverse = d.Reverse ? "true" : "false";
                        string projection = recurrent.Layer.ProjectionSize > 0 ? $", projectionSize: {recurrent.Layer.ProjectionSize}" : "";
                        _w.Line($"private readonly {Kernels}RecurrentLayer {d.Field} = new({Kernels}RecurrentCellKind.{recurrent.Cell.RuntimeCell(recurrent.Layer)}, hidden: {recurrent.Layer.HiddenSize}, batch: BatchSize, reverse: {reverse}{projection});");
                        int gates = recurrent.Cell.GateCount * recurrent.Layer.HiddenSize;
                        _w.Line($"private readonly {Kernels}PackedMatrix {d.Field}WeightIh = new({recurrent.InFeatures}, {gates}); // W_ihᵀ, repacked when the parameters change");
                    }

                    break;
                case DenseStage dense:
                    _w.Line($"private readonly {Kernels}PackedMatrix {DenseWeightField(dense)} = new({dense.InFeatures}, {dense.OutFeatures}); // Wᵀ, repacked when the parameters change");
                    break;
            }
        }

        _w.Line($"private readonly {Runtime}DeterministicRandom _dropoutRandom;");
        _w.Line($"private {Kernels}ConcurrencyGuard _guard;");
        _w.Line("private int _rows; // rows of the last Forward");
        if (_plan.Embedding is null)
        {
            _w.Line("private int _gradientRows; // rows of the last Backward: InputGradient's");
        }

        _w.Line("private bool _forwardDone;");
        if (Loss is not null)
        {
            _w.Line("private bool _lossDone;");
        }

        if (AnyLearnedState)
        {
            _w.Line("private bool _carried; // CarryState: the initial state holds the last final state, not the learned one");
            _w.Line("private bool _startLearned; // this pass starts from the learned initial states");
        }
        if (_plan.CanStep)
        {
            _w.Line("private bool _streaming; // Step runs: start and end in the stream");
            _w.Line("private bool _streamFresh = true; // the next Step starts a new stream");
        }

        _w.Line();
    }

    private bool AnyLearnedState => _plan.StateTensors.Any(s => s.Learned is not null);
}
