using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>
/// A fixed, ordered set of named float tensors stored back to back in one aligned buffer. Names and
/// shapes follow PyTorch's <c>state_dict</c> (row-major), so a set saves to and loads from safetensors
/// files that PyTorch reads and writes.
/// </summary>
public sealed class ParameterSet
{
    private readonly string[] _names;
    private readonly int[][] _shapes;
    private readonly int[] _offsets;
    private readonly int[] _lengths;
    private readonly Dictionary<string, int> _index;
    private readonly AlignedBuffer _buffer;
    private long _version;
    private bool _directWrites;

    /// <summary>Creates a zero-filled set; each tensor starts on a 64-byte boundary.</summary>
    public ParameterSet(IReadOnlyList<(string Name, int[] Shape)> tensors)
        : this(tensors, nameof(ParameterSet))
    {
    }

    /// <summary>
    /// Creates a zero-filled set for <paramref name="owner"/> (e.g. "MyModel parameters"), which an
    /// <see cref="OutOfMemoryException"/> names with the size when the set does not fit in memory.
    /// </summary>
    public ParameterSet(IReadOnlyList<(string Name, int[] Shape)> tensors, string owner)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(owner);
        int count = tensors.Count;
        _names = new string[count];
        _shapes = new int[count][];
        _offsets = new int[count];
        _lengths = new int[count];
        _index = new Dictionary<string, int>(count, StringComparer.Ordinal);
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            (string name, int[] shape) = tensors[i];
            if (!_index.TryAdd(name, i))
            {
                throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            }

            int length = 1;
            foreach (int dim in shape)
            {
                if (dim <= 0)
                {
                    throw new ArgumentException($"Tensor '{name}' has a non-positive dimension in {ShapeText(shape)}.", nameof(tensors));
                }

                length = checked(length * dim);
            }

            _names[i] = name;
            _shapes[i] = (int[])shape.Clone();
            _offsets[i] = offset;
            _lengths[i] = length;
            offset = checked(offset + RoundUpToCacheLine(length));
        }

        _buffer = new AlignedBuffer(offset, owner);
    }

    /// <summary>Tensor names in declaration order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Number of scalars in all tensors together (excluding alignment padding).</summary>
    public int TotalLength
    {
        get
        {
            int total = 0;
            foreach (int length in _lengths)
            {
                total += length;
            }

            return total;
        }
    }

    /// <summary>
    /// A key for caches of these values (a model's weights repacked for its kernels): it changes whenever the values
    /// may have changed, and is −1 (cache nothing) while a span taken from <see cref="Data"/> or the indexer may still
    /// be written — such a span can be written at any time, even after a model has read the values, so models then
    /// repack on every call. <see cref="EndDirectWrites"/> ends that; Load, CopyFrom, Clear and the optimizers write
    /// without opening it.
    /// </summary>
    public long Version => _directWrites ? -1 : _version;

    /// <summary>The whole backing store, alignment padding included (padding is always zero). Writable: see <see cref="Version"/>.</summary>
    public Span<float> Data
    {
        get
        {
            OpenDirectWrites();
            return _buffer.Span;
        }
    }

    /// <summary>The whole backing store, read-only.</summary>
    public ReadOnlySpan<float> ReadOnlyData => _buffer.Span;

    /// <summary>The tensor's elements, row-major. Writable: see <see cref="Version"/>; read with <see cref="GetReadOnly"/>.</summary>
    public Span<float> this[string name]
    {
        get
        {
            int i = IndexOf(name);
            OpenDirectWrites();
            return _buffer.Slice(_offsets[i], _lengths[i]);
        }
    }

    /// <summary>The tensor's elements, read-only.</summary>
    public ReadOnlySpan<float> GetReadOnly(string name)
    {
        int i = IndexOf(name);
        return _buffer.Slice(_offsets[i], _lengths[i]);
    }

    /// <summary>
    /// Declares that no span taken from <see cref="Data"/> or the indexer will be written any more, so models may
    /// again keep their repacked weights between calls (the fast path of repeated inference).
    /// </summary>
    public void EndDirectWrites()
    {
        _directWrites = false;
        _version++;
    }

    /// <summary>Copies <paramref name="values"/> into one tensor (a write that leaves <see cref="Version"/> cacheable).</summary>
    public void CopyFrom(string name, ReadOnlySpan<float> values)
    {
        int i = IndexOf(name);
        if (values.Length != _lengths[i])
        {
            throw new ArgumentException($"Tensor '{name}' has {_lengths[i]} elements (shape {ShapeText(_shapes[i])}); {values.Length} were given.", nameof(values));
        }

        values.CopyTo(_buffer.Slice(_offsets[i], _lengths[i]));
        _version++;
    }

    /// <summary>The backing store for the runtime's own writers (optimizers, clipping): counts as a write, opens nothing.</summary>
    internal Span<float> WritableData
    {
        get
        {
            _version++;
            return _buffer.Span;
        }
    }

    private void OpenDirectWrites()
    {
        _directWrites = true;
        _version++;
    }

    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>A copy of the tensor's shape.</summary>
    public int[] GetShape(string name) => (int[])_shapes[IndexOf(name)].Clone();

    /// <summary>Offset of the tensor inside <see cref="Data"/>.</summary>
    public int GetOffset(string name) => _offsets[IndexOf(name)];

    /// <summary>Sets every element of every tensor to zero.</summary>
    public void Clear()
    {
        _buffer.Clear();
        _version++;
    }

    /// <summary>Copies every tensor from a set with the same names and shapes; checks them all first, so a mismatch copies nothing.</summary>
    public void CopyFrom(ParameterSet source)
    {
        ArgumentNullException.ThrowIfNull(source);
        foreach (string name in _names)
        {
            if (!source.Contains(name))
            {
                throw new ArgumentException($"Tensor '{name}' is missing from the source set.", nameof(source));
            }

            CheckShape(name, source.GetShape(name));
        }

        foreach (string name in _names)
        {
            source.GetReadOnly(name).CopyTo(_buffer.Slice(_offsets[IndexOf(name)], _lengths[IndexOf(name)]));
        }

        _version++;
    }

    /// <summary>
    /// Writes every tensor to a safetensors file (F32), atomically: a reader never sees a partial file
    /// (see <see cref="SafeTensors.Write"/>). The tensors stream straight from this set through a 1 MB
    /// buffer, so a save needs no memory in proportion to the model; do not change the set meanwhile.
    /// </summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tensors = new SafeTensorEntry[_names.Length];
        for (int i = 0; i < _names.Length; i++)
        {
            tensors[i] = SafeTensorEntry.Float32View(_names[i], _shapes[i], _buffer, _offsets[i], _lengths[i]);
        }

        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Reads every tensor of this set from a safetensors file. The file and every tensor's presence,
    /// dtype (F32) and shape are checked before anything is copied, so a refused file leaves the set
    /// unchanged; a refusal is a <see cref="SafeTensorsFormatException"/> naming the file, the tensor and
    /// both shapes. Extra tensors in the file are ignored. Tensors are read straight into the set; only
    /// an I/O error after the checks (a failing disk, the file truncated in place by another program)
    /// can leave the set partly loaded.
    /// </summary>
    public void Load(string path)
    {
        using SafeTensorsFile file = SafeTensors.Read(path);
        for (int i = 0; i < _names.Length; i++)
        {
            string name = _names[i];
            string expected = ShapeText(_shapes[i]);
            if (!file.Contains(name))
            {
                throw new SafeTensorsFormatException(path, name, $"the file has no such tensor; this set needs it as F32 of shape {expected}.");
            }

            int[] fileShape = file.GetShape(name);
            if (!ShapesEqual(fileShape, _shapes[i]))
            {
                throw new SafeTensorsFormatException(path, name, $"the file has shape {ShapeText(fileShape)}; this set needs {expected}.");
            }

            string dtype = file.GetDType(name);
            if (dtype != "F32")
            {
                throw new SafeTensorsFormatException(path, name, $"the file has dtype {dtype}; this set needs F32 (shape {expected}).");
            }
        }

        for (int i = 0; i < _names.Length; i++)
        {
            file.ReadFloat32(_names[i], _buffer.Slice(_offsets[i], _lengths[i]));
        }

        _version++;
    }

    /// <summary>Formats a shape as <c>[a, b, c]</c>.</summary>
    public static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    private void CheckShape(string name, int[] shape)
    {
        if (!ShapesEqual(shape, _shapes[IndexOf(name)]))
        {
            throw new ArgumentException($"Tensor '{name}' has shape {ShapeText(shape)}, expected {ShapeText(GetShape(name))}.");
        }
    }

    private static bool ShapesEqual(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    private int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_index.TryGetValue(name, out int i))
        {
            throw new KeyNotFoundException($"No tensor named '{name}'. Known tensors: {string.Join(", ", _names)}.");
        }

        return i;
    }

    private static int RoundUpToCacheLine(int length) => (length + 15) & ~15;
}
