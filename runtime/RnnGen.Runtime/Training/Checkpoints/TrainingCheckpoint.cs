using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace RnnGen;

/// <summary>
/// Everything a training run needs to continue bit for bit, in one safetensors file: each model's parameters
/// and initial state, its optimizer's state (moments, step count, learning rate), its schedule's state, the
/// state of every random generator (each model's dropout generator, and any others added, such as a data
/// shuffler's), extra tensor sets (such as the best weights so far), the step number and the caller's metadata.
/// Set it up once with the objects to save, then <see cref="Save"/> as often as wanted and <see cref="Load"/>
/// into freshly built objects to resume.
/// </summary>
/// <remarks>
/// <para>The file is written atomically (a reader never sees a partial file). <see cref="Load"/> checks the whole
/// file against what was added (format, version, every tensor's presence and shape, optimizer and schedule kinds,
/// generator states) before it changes anything: a load that throws leaves every object as it was.</para>
/// <para>Layout: tensors <c>M/parameters/…</c>, <c>M/initial_state/…</c>, <c>M/optimizer/…</c> per model
/// <c>M</c>, <c>tensors.S/…</c> per extra set <c>S</c> (all F32); metadata <c>format</c>,
/// <c>format_version</c>, <c>step</c>, <c>model.M.optimizer.*</c>, <c>model.M.schedule.*</c>,
/// <c>random.R</c> (four decimal words) and <c>user.*</c>.</para>
/// </remarks>
public sealed class TrainingCheckpoint
{
    /// <summary>The <c>format</c> metadata value that marks a training checkpoint.</summary>
    public const string FormatName = "rnngen.training_checkpoint";

    /// <summary>The <c>format_version</c> this RnnGen writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string UserPrefix = "user.";
    private const string ModelsKey = "models";
    private const string RandomsKey = "randoms";
    private const string TensorSetsKey = "tensor_sets";

    private readonly List<ModelEntry> _models = [];
    private readonly List<(string Name, DeterministicRandom Random)> _randoms = [];
    private readonly List<(string Name, ParameterSet Tensors)> _tensorSets = [];

    /// <summary>An empty checkpoint; add what it holds with <see cref="AddModel"/>, <see cref="AddRandom"/> and <see cref="AddTensors"/>.</summary>
    public TrainingCheckpoint()
    {
    }

    /// <summary>A checkpoint of one model, named <c>"model"</c>, with its optimizer and optional schedule.</summary>
    public TrainingCheckpoint(IRnnModel model, IOptimizer optimizer, ILearningRateSchedule? schedule = null) =>
        AddModel("model", model, optimizer, schedule);

    /// <summary>
    /// Adds a model with the optimizer that steps its parameters and, optionally, the schedule that sets that
    /// optimizer's rate. The model's <see cref="IRnnModel.DropoutRandom"/> is saved too, as <c>name.dropout</c>.
    /// </summary>
    /// <param name="name">Letters, digits, <c>_</c> and <c>-</c>; unique among the models.</param>
    public TrainingCheckpoint AddModel(string name, IRnnModel model, IOptimizer optimizer, ILearningRateSchedule? schedule = null)
    {
        RequireName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (ModelEntry entry in _models)
        {
            if (entry.Name == name || ReferenceEquals(entry.Model, model) || ReferenceEquals(entry.Optimizer, optimizer)
                || (schedule is not null && ReferenceEquals(entry.Schedule, schedule)))
            {
                throw new ArgumentException($"Model '{entry.Name}' was added already, or uses the same model, optimizer or schedule object.", nameof(model));
            }
        }

        RequireNewRandom(model.DropoutRandom, nameof(model));
        _models.Add(new ModelEntry(name, model, optimizer, schedule));
        return this;
    }

    /// <summary>Adds a random generator whose state is saved and restored, such as the one that shuffles the data.</summary>
    /// <param name="name">Letters, digits, <c>_</c> and <c>-</c>; unique among the generators.</param>
    public TrainingCheckpoint AddRandom(string name, DeterministicRandom random)
    {
        RequireName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(random);
        foreach ((string n, _) in _randoms)
        {
            if (n == name)
            {
                throw new ArgumentException($"A random generator named '{name}' was added already.", nameof(name));
            }
        }

        RequireNewRandom(random, nameof(random));
        _randoms.Add((name, random));
        return this;
    }

    /// <summary>Adds a tensor set saved and restored as it is, such as a copy of the best weights so far.</summary>
    /// <param name="name">Letters, digits, <c>_</c> and <c>-</c>; unique among the sets.</param>
    public TrainingCheckpoint AddTensors(string name, ParameterSet tensors)
    {
        RequireName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(tensors);
        foreach ((string n, ParameterSet set) in _tensorSets)
        {
            if (n == name || ReferenceEquals(set, tensors))
            {
                throw new ArgumentException($"The tensor set '{name}' (or the same set under the name '{n}') was added already.", nameof(name));
            }
        }

        _tensorSets.Add((name, tensors));
        return this;
    }

    /// <summary>
    /// Writes everything added, atomically, to <paramref name="path"/>.
    /// </summary>
    /// <param name="step">The caller's step count (optimizer steps so far, typically); <see cref="Load"/> returns it.</param>
    /// <param name="metadata">The caller's own strings, returned by <see cref="Load"/> and <see cref="ReadInfo"/>.</param>
    public void Save(string path, long step, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var tensors = new List<SafeTensorEntry>();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            [ModelsKey] = JoinNames(_models.ConvertAll(m => m.Name)),
            [RandomsKey] = JoinNames(_randoms.ConvertAll(r => r.Name)),
            [TensorSetsKey] = JoinNames(_tensorSets.ConvertAll(s => s.Name)),
        };

        foreach (ModelEntry m in _models)
        {
            AddSet(tensors, m.Name + "/parameters/", m.Model.Parameters);
            AddSet(tensors, m.Name + "/initial_state/", m.Model.InitialState);
            OptimizerState optimizerState = m.Optimizer.GetState();
            string optimizerPrefix = OptimizerPrefix(m.Name);
            meta[optimizerPrefix + "kind"] = optimizerState.Kind;
            foreach ((string key, string value) in optimizerState.Scalars)
            {
                meta[optimizerPrefix + key] = value;
            }

            foreach (string name in optimizerState.TensorNames)
            {
                tensors.Add(SafeTensorEntry.Float32(m.Name + "/optimizer/" + name, optimizerState.GetShape(name), optimizerState.GetTensor(name)));
            }

            if (m.Schedule is not null)
            {
                ScheduleState scheduleState = m.Schedule.GetState();
                string schedulePrefix = SchedulePrefix(m.Name);
                meta[schedulePrefix + "kind"] = scheduleState.Kind;
                foreach ((string key, string value) in scheduleState.Scalars)
                {
                    meta[schedulePrefix + key] = value;
                }
            }

            meta[RandomKey(DropoutName(m.Name))] = FormatRandom(m.Model.DropoutRandom);
        }

        foreach ((string name, DeterministicRandom random) in _randoms)
        {
            meta[RandomKey(name)] = FormatRandom(random);
        }

        foreach ((string name, ParameterSet set) in _tensorSets)
        {
            AddSet(tensors, TensorSetPrefix(name), set);
        }

        if (metadata is not null)
        {
            foreach ((string key, string value) in metadata)
            {
                ArgumentException.ThrowIfNullOrEmpty(key, nameof(metadata));
                ArgumentNullException.ThrowIfNull(value, nameof(metadata));
                meta[UserPrefix + key] = value;
            }
        }

        SafeTensors.Write(path, tensors, meta);
    }

    /// <summary>
    /// Restores everything added from a file written by <see cref="Save"/> with the same setup, and returns its step
    /// and metadata. The whole file is checked first; on any mismatch it throws <see cref="InvalidDataException"/>
    /// naming the file and what does not match, and every object is left as it was.
    /// </summary>
    public CheckpointInfo Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensorsFile file = SafeTensors.Read(path);
        CheckpointInfo info = ReadHeader(file, path);
        var reader = new Reader(file, path);
        reader.RequireNames(ModelsKey, _models.ConvertAll(m => m.Name), "models");
        reader.RequireNames(RandomsKey, _randoms.ConvertAll(r => r.Name), "random generators");
        reader.RequireNames(TensorSetsKey, _tensorSets.ConvertAll(s => s.Name), "tensor sets");

        // Read and check everything; nothing changes until every part has passed.
        var plans = new List<ModelPlan>(_models.Count);
        foreach (ModelEntry m in _models)
        {
            plans.Add(reader.ReadModel(m));
        }

        var randoms = new List<(DeterministicRandom Random, uint[] State)>();
        foreach (ModelEntry m in _models)
        {
            randoms.Add((m.Model.DropoutRandom, reader.ReadRandom(DropoutName(m.Name))));
        }

        foreach ((string name, DeterministicRandom random) in _randoms)
        {
            randoms.Add((random, reader.ReadRandom(name)));
        }

        var sets = new List<(ParameterSet Set, Dictionary<string, float[]> Values)>();
        foreach ((string name, ParameterSet set) in _tensorSets)
        {
            sets.Add((set, reader.ReadSet(TensorSetPrefix(name), set, $"tensor set '{name}'")));
        }

        reader.RejectLeftovers();

        // Optimizers and schedules check their own states too; undo what was applied if one refuses.
        var undo = new List<Action>();
        try
        {
            foreach (ModelPlan plan in plans)
            {
                ModelEntry m = plan.Entry;
                OptimizerState previousOptimizer = m.Optimizer.GetState();
                m.Optimizer.SetState(plan.Optimizer);
                undo.Add(() => m.Optimizer.SetState(previousOptimizer));
                if (m.Schedule is not null)
                {
                    ScheduleState previousSchedule = m.Schedule.GetState();
                    m.Schedule.SetState(plan.Schedule!);
                    undo.Add(() => m.Schedule.SetState(previousSchedule));
                }
            }
        }
        catch (Exception e)
        {
            for (int i = undo.Count - 1; i >= 0; i--)
            {
                undo[i]();
            }

            if (e is ArgumentException)
            {
                throw new InvalidDataException($"'{path}': {e.Message}", e);
            }

            throw;
        }

        // Checked above: none of these can throw.
        foreach (ModelPlan plan in plans)
        {
            Copy(plan.Parameters, plan.Entry.Model.Parameters);
            Copy(plan.InitialState, plan.Entry.Model.InitialState);
        }

        foreach ((ParameterSet set, Dictionary<string, float[]> values) in sets)
        {
            Copy(values, set);
        }

        foreach ((DeterministicRandom random, uint[] state) in randoms)
        {
            random.SetState(state);
        }

        return info;
    }

    /// <summary>Reads a checkpoint's step and metadata without restoring anything (to decide whether and how to resume).</summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadHeader(SafeTensors.Read(path), path);
    }

    private static CheckpointInfo ReadHeader(SafeTensorsFile file, string path)
    {
        IReadOnlyDictionary<string, string> meta = file.Metadata;
        if (!meta.TryGetValue("format", out string? format) || format != FormatName)
        {
            throw new InvalidDataException($"'{path}' is not an RnnGen training checkpoint: its metadata lacks format = '{FormatName}'.");
        }

        if (!meta.TryGetValue("format_version", out string? versionText)
            || !int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
        {
            throw new InvalidDataException($"'{path}' has no valid format_version.");
        }

        if (version != FormatVersion)
        {
            throw new InvalidDataException($"'{path}' is training checkpoint format version {version}; this RnnGen reads version {FormatVersion}.");
        }

        if (!meta.TryGetValue("step", out string? stepText)
            || !long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
        {
            throw new InvalidDataException($"'{path}' has no valid step number.");
        }

        var user = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, string value) in meta)
        {
            if (key.StartsWith(UserPrefix, StringComparison.Ordinal))
            {
                user[key[UserPrefix.Length..]] = value;
            }
        }

        return new CheckpointInfo(step, user);
    }

    private void RequireNewRandom(DeterministicRandom random, string argument)
    {
        foreach (ModelEntry m in _models)
        {
            if (ReferenceEquals(m.Model.DropoutRandom, random))
            {
                throw new ArgumentException($"This generator is model '{m.Name}''s dropout generator, which is saved with the model already.", argument);
            }
        }

        foreach ((string name, DeterministicRandom r) in _randoms)
        {
            if (ReferenceEquals(r, random))
            {
                throw new ArgumentException($"This generator was added already as '{name}'.", argument);
            }
        }
    }

    private static void RequireName(string name, string argument)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, argument);
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                throw new ArgumentException($"Checkpoint name '{name}' may hold only ASCII letters, digits, '_' and '-'.", argument);
            }
        }
    }

    private static void AddSet(List<SafeTensorEntry> tensors, string prefix, ParameterSet set)
    {
        foreach (string name in set.Names)
        {
            tensors.Add(SafeTensorEntry.Float32(prefix + name, set.GetShape(name), set.GetReadOnly(name)));
        }
    }

    private static void Copy(Dictionary<string, float[]> values, ParameterSet set)
    {
        foreach ((string name, float[] data) in values)
        {
            set.CopyFrom(name, data);
        }
    }

    private static string JoinNames(List<string> names) => string.Join(",", names);

    private static string OptimizerPrefix(string model) => "model." + model + ".optimizer.";

    private static string SchedulePrefix(string model) => "model." + model + ".schedule.";

    // The dot keeps it apart from a model's tensors: model names hold no dot.
    private static string TensorSetPrefix(string name) => "tensors." + name + "/";

    private static string DropoutName(string model) => model + ".dropout";

    private static string RandomKey(string name) => "random." + name;

    private static string FormatRandom(DeterministicRandom random) =>
        string.Join(" ", Array.ConvertAll(random.GetState(), w => w.ToString(CultureInfo.InvariantCulture)));

    private sealed record ModelEntry(string Name, IRnnModel Model, IOptimizer Optimizer, ILearningRateSchedule? Schedule);

    private sealed record ModelPlan(
        ModelEntry Entry, Dictionary<string, float[]> Parameters, Dictionary<string, float[]> InitialState, OptimizerState Optimizer, ScheduleState? Schedule);

    /// <summary>Reads a checkpoint file's parts, checking each, and remembers what it took so that leftovers are refused.</summary>
    private sealed class Reader(SafeTensorsFile file, string path)
    {
        private readonly HashSet<string> _takenTensors = new(StringComparer.Ordinal);
        private readonly HashSet<string> _takenKeys = new(StringComparer.Ordinal) { "format", "format_version", "step" };

        public void RequireNames(string key, List<string> expected, string what)
        {
            string text = Meta(key);
            _takenKeys.Add(key);
            var saved = new List<string>(text.Length == 0 ? [] : text.Split(','));
            bool same = saved.Count == expected.Count;
            foreach (string name in expected)
            {
                same &= saved.Contains(name);
            }

            if (!same)
            {
                throw new InvalidDataException(
                    $"'{path}' holds the {what} [{string.Join(", ", saved)}], but this checkpoint was set up with [{string.Join(", ", expected)}]: " +
                    "add the same ones, under the same names, as when it was saved.");
            }
        }

        public ModelPlan ReadModel(ModelEntry m)
        {
            Dictionary<string, float[]> parameters = ReadSet(m.Name + "/parameters/", m.Model.Parameters, $"model '{m.Name}' parameter");
            Dictionary<string, float[]> initialState = ReadSet(m.Name + "/initial_state/", m.Model.InitialState, $"model '{m.Name}' initial state");

            string optimizerPrefix = OptimizerPrefix(m.Name);
            string optimizerKind = Meta(optimizerPrefix + "kind");
            string currentKind = m.Optimizer.GetState().Kind;
            if (optimizerKind != currentKind)
            {
                throw new InvalidDataException($"'{path}' holds the state of a {optimizerKind} optimizer for model '{m.Name}', but the optimizer given is {currentKind}.");
            }

            var optimizer = new OptimizerState(optimizerKind);
            foreach ((string key, string value) in Prefixed(optimizerPrefix))
            {
                optimizer.SetScalar(key, value);
            }

            string tensorPrefix = m.Name + "/optimizer/";
            foreach (string name in file.Names)
            {
                if (!name.StartsWith(tensorPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string stateName = name[tensorPrefix.Length..];
                int slash = stateName.IndexOf('/', StringComparison.Ordinal);
                string parameter = slash < 0 ? "" : stateName[(slash + 1)..];
                if (!m.Model.Parameters.Contains(parameter))
                {
                    throw new InvalidDataException($"'{path}' has optimizer tensor '{name}' for a parameter '{parameter}' that model '{m.Name}' does not have.");
                }

                optimizer.SetTensor(stateName, Shape(name, m.Model.Parameters.GetShape(parameter)), file.GetFloat32(name));
                _takenTensors.Add(name);
            }

            string schedulePrefix = SchedulePrefix(m.Name);
            bool saved = file.Metadata.ContainsKey(schedulePrefix + "kind");
            if (saved != (m.Schedule is not null))
            {
                throw new InvalidDataException(saved
                    ? $"'{path}' holds a learning-rate schedule's state for model '{m.Name}', but no schedule was given for it."
                    : $"'{path}' holds no learning-rate schedule state for model '{m.Name}', but a schedule was given for it.");
            }

            ScheduleState? schedule = null;
            if (m.Schedule is not null)
            {
                string scheduleKind = Meta(schedulePrefix + "kind");
                string currentSchedule = m.Schedule.GetState().Kind;
                if (scheduleKind != currentSchedule)
                {
                    throw new InvalidDataException($"'{path}' holds the state of a {scheduleKind} schedule for model '{m.Name}', but the schedule given is {currentSchedule}.");
                }

                schedule = new ScheduleState(scheduleKind);
                foreach ((string key, string value) in Prefixed(schedulePrefix))
                {
                    schedule.SetScalar(key, value);
                }
            }

            return new ModelPlan(m, parameters, initialState, optimizer, schedule);
        }

        public Dictionary<string, float[]> ReadSet(string prefix, ParameterSet set, string what)
        {
            var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (string name in set.Names)
            {
                string key = prefix + name;
                if (!file.Contains(key))
                {
                    throw new InvalidDataException($"'{path}' lacks {what} '{name}' (tensor '{key}', shape {ParameterSet.ShapeText(set.GetShape(name))}).");
                }

                Shape(key, set.GetShape(name));
                values[name] = file.GetFloat32(key);
                _takenTensors.Add(key);
            }

            foreach (string name in file.Names)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal) && !_takenTensors.Contains(name))
                {
                    throw new InvalidDataException($"'{path}' has {what} '{name[prefix.Length..]}', which the object given does not have: it was saved from a different one.");
                }
            }

            return values;
        }

        public uint[] ReadRandom(string name)
        {
            string key = RandomKey(name);
            string text = Meta(key);
            _takenKeys.Add(key);
            string[] words = text.Split(' ');
            var state = new uint[DeterministicRandom.StateSize];
            bool valid = words.Length == state.Length;
            for (int i = 0; valid && i < state.Length; i++)
            {
                valid = uint.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out state[i]);
            }

            if (!valid || Array.TrueForAll(state, w => w == 0))
            {
                throw new InvalidDataException($"'{path}' has random generator state '{key}' = '{text}'; expected {state.Length} decimal 32-bit words, not all zero.");
            }

            return state;
        }

        public void RejectLeftovers()
        {
            foreach (string name in file.Names)
            {
                if (!_takenTensors.Contains(name))
                {
                    throw new InvalidDataException($"'{path}' has tensor '{name}', which belongs to nothing added to this checkpoint.");
                }
            }

            foreach (string key in file.Metadata.Keys)
            {
                if (!_takenKeys.Contains(key) && !key.StartsWith(UserPrefix, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"'{path}' has metadata '{key}', which belongs to nothing added to this checkpoint.");
                }
            }
        }

        private int[] Shape(string key, int[] expected)
        {
            int[] shape = file.GetShape(key);
            if (!shape.AsSpan().SequenceEqual(expected))
            {
                throw new InvalidDataException($"'{path}' has tensor '{key}' of shape {ParameterSet.ShapeText(shape)}; expected {ParameterSet.ShapeText(expected)}.");
            }

            string dtype = file.GetDType(key);
            if (dtype != "F32")
            {
                throw new InvalidDataException($"'{path}' has tensor '{key}' of type {dtype}; expected F32.");
            }

            return shape;
        }

        private List<(string Key, string Value)> Prefixed(string prefix)
        {
            var entries = new List<(string, string)>();
            foreach ((string key, string value) in file.Metadata)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    _takenKeys.Add(key);
                    if (key[prefix.Length..] != "kind")
                    {
                        entries.Add((key[prefix.Length..], value));
                    }
                }
            }

            return entries;
        }

        private string Meta(string key)
        {
            if (!file.Metadata.TryGetValue(key, out string? value))
            {
                throw new InvalidDataException($"'{path}' lacks the metadata entry '{key}'.");
            }

            _takenKeys.Add(key);
            return value;
        }
    }
}
