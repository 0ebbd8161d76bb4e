using System;
using System.Collections.Generic;
using System.Diagnostics;
using RnnGen.Kernels;

namespace RnnGen;

/// <summary>
/// What RnnGen's optimizers share: the binding to one parameter set, argument checks that run before
/// anything changes, state buffers allocated on the first step, the opt-in non-finite check, the exact
/// learning rate, and the state for checkpoints. Each optimizer supplies only its per-element rule
/// (see <see cref="ElementwiseUpdate"/>) and the scalars of each step.
/// </summary>
public abstract class Optimizer : IOptimizer
{
    private const int MaxBuffers = 3;
    private const string StepKey = "step";
    private const string LearningRateKey = "lr";
    private static readonly string[] ScalarKeys = [StepKey, LearningRateKey];
    private const string OneThreadAdvice =
        "An optimizer serves one thread at a time, like the model whose parameters it steps; give each model its own.";

    private readonly ParameterSetPair _pair = new();
    private readonly string?[] _bufferNames;
    private ParameterSet? _bound;
    private (string Name, int Offset, int Length)[] _tensors = [];
    private AlignedBuffer?[]? _buffers;
    private OptimizerState? _pending;
    private ConcurrencyGuard _guard;

    /// <param name="bufferNames">torch's name of each state buffer the rule reads as state0..state2; null where unused.</param>
    private protected Optimizer(float learningRate, string?[] bufferNames)
    {
        Hyperparameter.NonNegative(learningRate, nameof(learningRate));
        Debug.Assert(bufferNames.Length <= MaxBuffers);
        _bufferNames = bufferNames;
        Group = new LearningRateGroup(Hyperparameter.Decimal(learningRate));
    }

    /// <summary>The step size; settable so that a schedule can change it between steps.</summary>
    public float LearningRate
    {
        get => Group.Single;
        set
        {
            Hyperparameter.NonNegative(value, nameof(value));
            Group.Value = Hyperparameter.Decimal(value);
        }
    }

    /// <summary>
    /// When true, <see cref="Step"/> scans the gradients first and throws <see cref="NonFiniteException"/>
    /// naming the tensor and index of a NaN or infinity, leaving parameters and state untouched.
    /// Off by default: the scan reads every gradient once more.
    /// </summary>
    public bool CheckFinite { get; set; }

    /// <summary>Steps taken so far (restored by <see cref="SetState"/>).</summary>
    public int StepCount { get; private set; }

    /// <summary>The learning rate as a double, as torch's parameter groups keep it; schedules compound on it.</summary>
    internal LearningRateGroup Group { get; }

    /// <summary>Runs each rule's scalar reference over every element instead of the vector loop (tests).</summary>
    internal bool ScalarReference { get; set; }

    /// <summary>The name <see cref="OptimizerState.Kind"/> carries: the class name.</summary>
    private protected abstract string Kind { get; }

    /// <summary>The value every state buffer starts from on the first step.</summary>
    private protected virtual float InitialStateValue => 0f;

    public void Step(ParameterSet parameters, ParameterSet gradients)
    {
        _guard.Enter(this, nameof(Step), OneThreadAdvice);
        try
        {
            StepUnguarded(parameters, gradients);
        }
        finally
        {
            _guard.Exit();
        }
    }

    private void StepUnguarded(ParameterSet parameters, ParameterSet gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        bool binding = _bound is null;
        if (!binding && !ReferenceEquals(parameters, _bound))
        {
            throw new InvalidOperationException(
                $"This {Kind} optimizer is bound to the parameter set it first stepped ({Describe(_bound!)}), but was given another set " +
                $"({Describe(parameters)}). Its state belongs to the first set: use one optimizer per parameter set.");
        }

        if (binding && _pending is not null)
        {
            CheckTensors(_pending, StepCount, parameters, nameof(parameters));
        }

        _pair.Validate(parameters, gradients);
        if (CheckFinite)
        {
            NonFinite.ThrowIfAny(gradients, "Gradients");
        }

        // Nothing above changed the optimizer; from here on nothing throws.
        if (binding)
        {
            Bind(parameters);
        }

        if (_buffers is null)
        {
            _buffers = AllocateBuffers(StepCount > 0 ? _pending : null);
            _pending = null;
        }

        StepCount++;
        Update(parameters, gradients, StepCount, Group.Value);
    }

    public OptimizerState GetState()
    {
        var state = new OptimizerState(Kind);
        state.SetScalar(StepKey, StateText.Format(StepCount));
        state.SetScalar(LearningRateKey, StateText.Format(Group.Value));
        if (_pending is not null)
        {
            foreach (string name in _pending.TensorNames)
            {
                state.SetTensor(name, _pending.GetShape(name), _pending.GetTensor(name));
            }
        }
        else if (_buffers is not null && _bound is not null)
        {
            foreach ((string name, int offset, int length) in _tensors)
            {
                int[] shape = _bound.GetShape(name);
                for (int b = 0; b < _bufferNames.Length; b++)
                {
                    if (_bufferNames[b] is string buffer)
                    {
                        state.SetTensor(buffer + "/" + name, shape, _buffers[b]!.Slice(offset, length));
                    }
                }
            }
        }

        return state;
    }

    public void SetState(OptimizerState state)
    {
        _guard.Enter(this, nameof(SetState), OneThreadAdvice);
        try
        {
            SetStateUnguarded(state);
        }
        finally
        {
            _guard.Exit();
        }
    }

    private void SetStateUnguarded(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind)
        {
            throw new ArgumentException($"The state was saved by a {state.Kind} optimizer; this one is {Kind}.", nameof(state));
        }

        StateText.RejectUnknown(state.Scalars.Keys, ScalarKeys, Kind);
        int step = StateText.ParseInt(state.Scalars, StepKey, Kind, min: 0);
        double learningRate = StateText.ParseDouble(state.Scalars, LearningRateKey, Kind, finiteNonNegative: true);
        if (_bound is not null)
        {
            CheckTensors(state, step, _bound, nameof(state));
            _buffers = step == 0 ? null : AllocateBuffers(state);
            _pending = null;
        }
        else
        {
            CheckTensorsAlone(state, step);
            _pending = Copy(state);
        }

        StepCount = step;
        Group.Value = learningRate;
    }

    /// <summary>Computes this step's scalars and runs the rule with <see cref="Run"/>.</summary>
    /// <param name="step">The step being taken, from 1.</param>
    /// <param name="learningRate">The learning rate as a double, like torch's <c>group['lr']</c>.</param>
    private protected abstract void Update(ParameterSet parameters, ParameterSet gradients, int step, double learningRate);

    /// <summary>Runs a rule over every tensor (never the alignment padding between them) and its state.</summary>
    private protected void Run<TRule>(in TRule rule, ParameterSet parameters, ParameterSet gradients)
        where TRule : struct, IUpdateRule
    {
        Span<float> p = parameters.WritableData;
        ReadOnlySpan<float> g = gradients.ReadOnlyData;
        Span<float> s0 = BufferSpan(0);
        Span<float> s1 = BufferSpan(1);
        Span<float> s2 = BufferSpan(2);
        foreach ((_, int offset, int length) in _tensors)
        {
            ElementwiseUpdate.Run(
                in rule,
                p.Slice(offset, length),
                g.Slice(offset, length),
                s0.IsEmpty ? default : s0.Slice(offset, length),
                s1.IsEmpty ? default : s1.Slice(offset, length),
                s2.IsEmpty ? default : s2.Slice(offset, length),
                ScalarReference);
        }
    }

    private Span<float> BufferSpan(int index) =>
        _buffers is not null && index < _buffers.Length && _buffers[index] is AlignedBuffer buffer ? buffer.Span : default;

    private void Bind(ParameterSet parameters)
    {
        var tensors = new (string, int, int)[parameters.Names.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            string name = parameters.Names[i];
            tensors[i] = (name, parameters.GetOffset(name), parameters.GetReadOnly(name).Length);
        }

        _tensors = tensors;
        _bound = parameters;
    }

    // Fresh buffers at the initial value, or filled from a checked state (one whose step count is above zero).
    private AlignedBuffer?[] AllocateBuffers(OptimizerState? state)
    {
        int length = _bound!.ReadOnlyData.Length;
        var buffers = new AlignedBuffer?[_bufferNames.Length];
        for (int b = 0; b < buffers.Length; b++)
        {
            if (_bufferNames[b] is not string buffer)
            {
                continue;
            }

            var storage = new AlignedBuffer(length);
            if (state is null)
            {
                storage.Span.Fill(InitialStateValue);
            }
            else
            {
                foreach ((string name, int offset, int count) in _tensors)
                {
                    state.GetTensor(buffer + "/" + name).CopyTo(storage.Slice(offset, count));
                }
            }

            buffers[b] = storage;
        }

        return buffers;
    }

    private void CheckTensors(OptimizerState state, int step, ParameterSet parameters, string argument) =>
        CheckTensors(state, step, parameters.Names, parameters.GetShape, argument);

    // Before binding: the state must be one this optimizer could have written for some parameter set,
    // the one its tensor names imply; the first Step checks it against the real set.
    private void CheckTensorsAlone(OptimizerState state, int step)
    {
        var names = new List<string>();
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (string key in state.TensorNames)
        {
            (string buffer, string name) = Split(key);
            if (Array.IndexOf(_bufferNames, buffer) >= 0 && shapes.TryAdd(name, state.GetShape(key)))
            {
                names.Add(name);
            }
        }

        CheckTensors(state, step, names, n => shapes[n], nameof(state));
    }

    // A state with steps holds every buffer for every parameter, each with the parameter's shape; one without steps holds none.
    private void CheckTensors(OptimizerState state, int step, IReadOnlyList<string> names, Func<string, int[]> shapeOf, string argument)
    {
        foreach (string key in state.TensorNames)
        {
            (string buffer, string name) = Split(key);
            if (step == 0 || Array.IndexOf(_bufferNames, buffer) < 0 || !Contains(names, name))
            {
                string why = step == 0 ? "a state with step 0 holds no tensors"
                    : $"this {Kind} keeps {BufferList()} for each of the parameters {string.Join(", ", names)}";
                throw new ArgumentException($"The {Kind} state has tensor '{key}', which does not belong: {why}.", argument);
            }
        }

        if (step == 0)
        {
            return;
        }

        foreach (string name in names)
        {
            int[] shape = shapeOf(name);
            foreach (string? buffer in _bufferNames)
            {
                if (buffer is null)
                {
                    continue;
                }

                string key = buffer + "/" + name;
                if (!state.ContainsTensor(key))
                {
                    throw new ArgumentException(
                        $"The {Kind} state after {step} steps lacks tensor '{key}' (shape {ParameterSet.ShapeText(shape)}) for parameter '{name}'.", argument);
                }

                int[] stateShape = state.GetShape(key);
                if (!stateShape.AsSpan().SequenceEqual(shape))
                {
                    throw new ArgumentException(
                        $"The {Kind} state tensor '{key}' has shape {ParameterSet.ShapeText(stateShape)}, but parameter '{name}' has {ParameterSet.ShapeText(shape)}.", argument);
                }
            }
        }
    }

    private static (string Buffer, string Name) Split(string key)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
    }

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        foreach (string n in names)
        {
            if (n == name)
            {
                return true;
            }
        }

        return false;
    }

    private string BufferList()
    {
        var names = new List<string>();
        foreach (string? buffer in _bufferNames)
        {
            if (buffer is not null)
            {
                names.Add("'" + buffer + "'");
            }
        }

        return names.Count == 0 ? "no state tensors" : string.Join(", ", names);
    }

    private static OptimizerState Copy(OptimizerState source)
    {
        var copy = new OptimizerState(source.Kind);
        foreach (string name in source.TensorNames)
        {
            copy.SetTensor(name, source.GetShape(name), source.GetTensor(name));
        }

        foreach ((string key, string value) in source.Scalars)
        {
            copy.SetScalar(key, value);
        }

        return copy;
    }

    private static string Describe(ParameterSet set) =>
        set.Names.Count == 0 ? "no tensors" : $"{set.Names.Count} tensor{(set.Names.Count == 1 ? "" : "s")}, the first '{set.Names[0]}'";
}
