using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace RnnGen.Tests.Runtime;

[RnnModel(SequenceLength = 5, BatchSize = 4, InputSize = 3)]
[Lstm(HiddenSize = 6, NumLayers = 2, Dropout = 0.3, Name = "rnn")]
[Dense(OutputSize = 2, Name = "fc")]
[Loss(LossKind.MeanSquaredError)]
public partial class CheckpointLstm { }

[RnnModel(SequenceLength = 4, BatchSize = 3, InputSize = 2)]
[Gru(HiddenSize = 5, Name = "rnn")]
[Dense(OutputSize = 3, Name = "fc")]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class CheckpointGru { }

/// <summary>
/// A run trained straight for N steps and one saved after N/2, loaded into freshly built objects (other seeds)
/// and trained N/2 more must agree in every loss and every weight, bit for bit: the checkpoint holds every
/// state that decides a step (weights, optimizer moments and step count, schedule, dropout and shuffling
/// generators). Loads that must fail leave every object as it was.
/// </summary>
public sealed class TrainingCheckpointTests
{
    private const int Sequences = 10;
    private const int Steps = 12;

    [Fact]
    public void StackedLstmWithDropoutAdamAndScheduleResumesBitForBit()
    {
        float[] inputs = Values(Sequences * 5 * 3, 1);
        float[] targets = Values(Sequences * 5 * 2, 2);
        Run Create(int seed)
        {
            var model = new CheckpointLstm(seed) { Training = true };
            var optimizer = new Adam(learningRate: 0.01f);
            var schedule = new CosineAnnealingLR(optimizer, tMax: 4, etaMin: 1e-4);
            return new Run(model, optimizer, schedule, new DeterministicRandom((ulong)seed + 100), 5 * 3, 5 * 2, (rows, x, y) =>
            {
                model.Forward(x, new float[rows * 5 * 2]);
                float loss = model.Loss(y);
                model.ZeroGradients();
                model.Backward();
                return loss;
            });
        }

        AssertResumesExactly(Create, inputs, targets);
    }

    [Fact]
    public void GruWithSgdMomentumResumesBitForBit()
    {
        float[] inputs = Values(Sequences * 4 * 2, 3);
        int[] classes = new int[Sequences * 4];
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i] = (i * 7 + 1) % 3;
        }

        Run Create(int seed)
        {
            var model = new CheckpointGru(seed) { Training = true };
            var optimizer = new Sgd(learningRate: 0.1f, momentum: 0.9f, nesterov: true);
            var schedule = new StepLR(optimizer, stepSize: 2, gamma: 0.5);
            return new Run(model, optimizer, schedule, new DeterministicRandom((ulong)seed + 100), 4 * 2, 4, (rows, x, y) =>
            {
                model.Forward(x, new float[rows * 4 * 3]);
                float loss = model.Loss(ToClasses(y));
                model.ZeroGradients();
                model.Backward();
                return loss;
            });
        }

        float[] targets = Array.ConvertAll(classes, c => (float)c);
        AssertResumesExactly(Create, inputs, targets);
    }

    [Fact]
    public void ALoadThatFailsLeavesEveryObjectAsItWas()
    {
        using var folder = new TemporaryDirectory();
        Run saved = Trained(seed: 1, steps: 3);
        string path = folder.File("run.safetensors");
        saved.Checkpoint.Save(path, 3);

        // Each file differs from a good one in one way; the fresh run must refuse it and stay as it was.
        var bad = new List<(string Name, Action<Dictionary<string, string>, List<SafeTensorEntry>> Change, string Message)>
        {
            ("format", (m, _) => m["format"] = "other", "not an RnnGen training checkpoint"),
            ("version", (m, _) => m["format_version"] = "2", "format version 2"),
            ("optimizer kind", (m, _) => m["model.model.optimizer.kind"] = "Sgd", "Sgd optimizer"),
            ("schedule kind", (m, _) => m["model.model.schedule.kind"] = "StepLR", "StepLR schedule"),
            ("random", (m, _) => m["random.shuffle"] = "0 0 0 0", "random generator state 'random.shuffle'"),
            ("missing weight", (_, t) => t.RemoveAll(e => e.Name == "model/parameters/fc.bias"), "lacks model 'model' parameter 'fc.bias'"),
            ("weight shape", (_, t) => Replace(t, "model/parameters/fc.bias", [1, 2]), "expected [2]"),
            ("optimizer shape", (_, t) => Replace(t, "model/optimizer/exp_avg/fc.bias", [1, 2]), "expected [2]"),
            ("extra tensor", (_, t) => t.Add(SafeTensorEntry.Float32("other/x", [1], [1f])), "'other/x'"),
            ("extra model", (m, _) => m["models"] = "model,decoder", "[model, decoder]"),
            // Checked by the schedule itself, after the optimizer has taken its state: that must be undone.
            ("schedule value", (m, _) => m["model.model.schedule.last_lr"] = "-1", "last_lr"),
            // Checked by the optimizer itself: a missing moment.
            ("optimizer tensor", (_, t) => t.RemoveAll(e => e.Name == "model/optimizer/exp_avg_sq/fc.bias"), "exp_avg_sq/fc.bias"),
        };

        foreach ((string name, var change, string message) in bad)
        {
            string badPath = folder.File(name.Replace(' ', '_') + ".safetensors");
            Rewrite(path, badPath, change);
            Run fresh = Trained(seed: 2, steps: 2);
            Snapshot before = Snapshot.Of(fresh);
            var e = Assert.Throws<InvalidDataException>(() => fresh.Checkpoint.Load(badPath));
            Assert.Contains(message, e.Message, StringComparison.Ordinal);
            Snapshot.Of(fresh).AssertEqual(before, name);
        }

        // The good file still loads into a fresh run, which then matches the saved one.
        Run resumed = Trained(seed: 2, steps: 2);
        CheckpointInfo info = resumed.Checkpoint.Load(path);
        Assert.Equal(3, info.Step);
        Snapshot.Of(resumed).AssertEqual(Snapshot.Of(saved), "good file");
    }

    [Fact]
    public void MetadataAndStepComeBackAndRegistrationsMustMatch()
    {
        using var folder = new TemporaryDirectory();
        Run run = Trained(seed: 1, steps: 1);
        string path = folder.File("run.safetensors");
        run.Checkpoint.Save(path, 41, new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "é ünïcode" });
        CheckpointInfo info = TrainingCheckpoint.ReadInfo(path);
        Assert.Equal(41, info.Step);
        Assert.Equal("3", info.Metadata["epoch"]);
        Assert.Equal("é ünïcode", info.Metadata["note"]);
        Assert.Equal(2, info.Metadata.Count);

        // Set up without the shuffler: the file holds a generator that would not be restored.
        var model = new CheckpointLstm(5);
        var optimizer = new Adam(0.01f);
        var checkpoint = new TrainingCheckpoint(model, optimizer, new CosineAnnealingLR(optimizer, tMax: 4, etaMin: 1e-4));
        var e = Assert.Throws<InvalidDataException>(() => checkpoint.Load(path));
        Assert.Contains("random generators [shuffle]", e.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => checkpoint.AddRandom("dropout", model.DropoutRandom));
        Assert.Throws<ArgumentException>(() => checkpoint.AddRandom("a.b", new DeterministicRandom(1)));
        Assert.Throws<ArgumentException>(() => checkpoint.AddModel("model", new CheckpointLstm(), new Adam()));
        Assert.Throws<ArgumentException>(() => checkpoint.AddModel("other", model, new Adam()));
    }

    [Fact]
    public void ExtraTensorSetsRoundTrip()
    {
        using var folder = new TemporaryDirectory();
        var model = new CheckpointGru(3);
        var best = new ParameterSet([("rnn.weight_hh_l0", [15, 5])]);
        Values(75, 9).CopyTo(best["rnn.weight_hh_l0"]);
        string path = folder.File("best.safetensors");
        new TrainingCheckpoint(model, new Sgd(0.1f)).AddTensors("best", best).Save(path, 0);

        var other = new ParameterSet([("rnn.weight_hh_l0", [15, 5])]);
        new TrainingCheckpoint(new CheckpointGru(4), new Sgd(0.1f)).AddTensors("best", other).Load(path);
        Assert.Equal(best.GetReadOnly("rnn.weight_hh_l0").ToArray(), other.GetReadOnly("rnn.weight_hh_l0").ToArray());
    }

    [Fact]
    public void RandomStateResumesTheStream()
    {
        var random = new DeterministicRandom(42);
        random.NextUInt32();
        uint[] state = random.GetState();
        uint[] expected = [random.NextUInt32(), random.NextUInt32(), random.NextUInt32()];
        var other = new DeterministicRandom(7);
        other.SetState(state);
        Assert.Equal(expected, new[] { other.NextUInt32(), other.NextUInt32(), other.NextUInt32() });
        state[0] = 99;   // GetState gave a copy
        Assert.NotEqual(state, random.GetState());
        Assert.Throws<ArgumentException>(() => other.SetState([1, 2, 3]));
        Assert.Throws<ArgumentException>(() => other.SetState([0, 0, 0, 0]));
        Assert.Equal(DeterministicRandom.StateSize, random.GetState().Length);
    }

    private static void AssertResumesExactly(Func<int, Run> create, float[] inputs, float[] targets)
    {
        using var folder = new TemporaryDirectory();
        Run straight = create(1);
        var straightLosses = new List<float>();
        for (int step = 0; step < Steps; step++)
        {
            straightLosses.Add(straight.TrainStep(step, inputs, targets));
        }

        Run first = create(1);
        var resumedLosses = new List<float>();
        for (int step = 0; step < Steps / 2; step++)
        {
            resumedLosses.Add(first.TrainStep(step, inputs, targets));
        }

        string path = folder.File("checkpoint.safetensors");
        first.Checkpoint.Save(path, Steps / 2);

        // Other seeds: everything that matters must come from the file.
        Run second = create(77);
        Assert.Equal(Steps / 2, second.Checkpoint.Load(path).Step);
        for (int step = Steps / 2; step < Steps; step++)
        {
            resumedLosses.Add(second.TrainStep(step, inputs, targets));
        }

        Assert.Equal(BitsOf(straightLosses), BitsOf(resumedLosses));
        Snapshot.Of(second).AssertEqual(Snapshot.Of(straight), "after the resumed half");
        // Not vacuous: the steps changed the weights, and a resume without the file would not match.
        Assert.False(create(1).Model.Parameters.ReadOnlyData.SequenceEqual(straight.Model.Parameters.ReadOnlyData), "the steps should change the weights");
        Run unloaded = create(77);
        Assert.NotEqual(BitsOf(straightLosses)[Steps / 2], BitConverter.SingleToInt32Bits(unloaded.TrainStep(Steps / 2, inputs, targets)));
    }

    private static Run Trained(int seed, int steps)
    {
        float[] inputs = Values(Sequences * 5 * 3, 1);
        float[] targets = Values(Sequences * 5 * 2, 2);
        var model = new CheckpointLstm(seed) { Training = true };
        var optimizer = new Adam(learningRate: 0.01f);
        var schedule = new CosineAnnealingLR(optimizer, tMax: 4, etaMin: 1e-4);
        var run = new Run(model, optimizer, schedule, new DeterministicRandom((ulong)seed + 100), 5 * 3, 5 * 2, (rows, x, y) =>
        {
            model.Forward(x, new float[rows * 5 * 2]);
            float loss = model.Loss(y);
            model.ZeroGradients();
            model.Backward();
            return loss;
        });
        for (int step = 0; step < steps; step++)
        {
            run.TrainStep(step, inputs, targets);
        }

        return run;
    }

    private static void Rewrite(string source, string destination, Action<Dictionary<string, string>, List<SafeTensorEntry>> change)
    {
        SafeTensorsFile file = SafeTensors.Read(source);
        var metadata = new Dictionary<string, string>(file.Metadata);
        var tensors = new List<SafeTensorEntry>();
        foreach (string name in file.Names)
        {
            tensors.Add(SafeTensorEntry.Float32(name, file.GetShape(name), file.GetFloat32(name)));
        }

        change(metadata, tensors);
        SafeTensors.Write(destination, tensors, metadata);
    }

    private static void Replace(List<SafeTensorEntry> tensors, string name, int[] shape)
    {
        int i = tensors.FindIndex(e => e.Name == name);
        Assert.True(i >= 0, name);
        int count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }

        tensors[i] = SafeTensorEntry.Float32(name, shape, new float[count]);
    }

    private static int[] ToClasses(ReadOnlySpan<float> values)
    {
        var classes = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            classes[i] = (int)values[i];
        }

        return classes;
    }

    private static int[] BitsOf(List<float> values) => values.ConvertAll(BitConverter.SingleToInt32Bits).ToArray();

    private static float[] Values(int count, int seed)
    {
        var random = new DeterministicRandom((ulong)seed);
        var values = new float[count];
        random.FillUniform(values, -1f, 1f);
        return values;
    }

    /// <summary>
    /// One training run: a model, its optimizer and schedule, and a shuffler that draws each step's batch of
    /// sequences (rows = 4 or 3 in turn, so partial batches occur); the schedule steps every third step.
    /// </summary>
    private sealed class Run
    {
        private readonly int _inputLength;
        private readonly int _targetLength;
        private readonly Func<int, float[], float[], float> _step;

        public Run(IRnnModel model, Optimizer optimizer, ILearningRateSchedule schedule, DeterministicRandom shuffler,
            int inputLength, int targetLength, Func<int, float[], float[], float> step)
        {
            Model = model;
            Optimizer = optimizer;
            Schedule = schedule;
            Shuffler = shuffler;
            _inputLength = inputLength;
            _targetLength = targetLength;
            _step = step;
            Checkpoint = new TrainingCheckpoint(model, optimizer, schedule).AddRandom("shuffle", shuffler);
        }

        public IRnnModel Model { get; }

        public Optimizer Optimizer { get; }

        public ILearningRateSchedule Schedule { get; }

        public DeterministicRandom Shuffler { get; }

        public TrainingCheckpoint Checkpoint { get; }

        public float TrainStep(int step, float[] inputs, float[] targets)
        {
            int rows = step % 2 == 0 ? Model.BatchSize : Model.BatchSize - 1;
            var x = new float[rows * _inputLength];
            var y = new float[rows * _targetLength];
            for (int r = 0; r < rows; r++)
            {
                int sequence = (int)(Shuffler.NextUInt32() % Sequences);
                inputs.AsSpan(sequence * _inputLength, _inputLength).CopyTo(x.AsSpan(r * _inputLength));
                targets.AsSpan(sequence * _targetLength, _targetLength).CopyTo(y.AsSpan(r * _targetLength));
            }

            float loss = _step(rows, x, y);
            Optimizer.Step(Model.Parameters, Model.Gradients);
            if (step % 3 == 2)
            {
                Schedule.Step();
            }

            return loss;
        }
    }

    /// <summary>Everything a load may change, copied out, to compare bit for bit.</summary>
    private sealed class Snapshot
    {
        private float[] _parameters = [];
        private float[] _initialState = [];
        private OptimizerState _optimizer = new("none");
        private ScheduleState _schedule = new("none");
        private uint[] _dropout = [];
        private uint[] _shuffler = [];
        private float _learningRate;

        public static Snapshot Of(Run run) => new()
        {
            _parameters = run.Model.Parameters.ReadOnlyData.ToArray(),
            _initialState = run.Model.InitialState.ReadOnlyData.ToArray(),
            _optimizer = run.Optimizer.GetState(),
            _schedule = run.Schedule.GetState(),
            _dropout = run.Model.DropoutRandom.GetState(),
            _shuffler = run.Shuffler.GetState(),
            _learningRate = run.Optimizer.LearningRate,
        };

        public void AssertEqual(Snapshot expected, string because)
        {
            Assert.True(Bits(_parameters).AsSpan().SequenceEqual(Bits(expected._parameters)), $"{because}: parameters differ");
            Assert.True(Bits(_initialState).AsSpan().SequenceEqual(Bits(expected._initialState)), $"{because}: initial state differs");
            Assert.Equal(expected._dropout, _dropout);
            Assert.Equal(expected._shuffler, _shuffler);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected._learningRate), BitConverter.SingleToInt32Bits(_learningRate));
            Assert.Equal(expected._optimizer.Kind, _optimizer.Kind);
            Assert.Equal(expected._optimizer.Scalars, _optimizer.Scalars);
            Assert.Equal(expected._optimizer.TensorNames, _optimizer.TensorNames);
            foreach (string name in expected._optimizer.TensorNames)
            {
                Assert.True(Bits(expected._optimizer.GetTensor(name).ToArray()).AsSpan().SequenceEqual(Bits(_optimizer.GetTensor(name).ToArray())), $"{because}: {name} differs");
            }

            Assert.Equal(expected._schedule.Kind, _schedule.Kind);
            Assert.Equal(expected._schedule.Scalars, _schedule.Scalars);
        }

        private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
    }
}
