using System;

namespace RnnGen.Kernels;

/// <summary>
/// The right operand of a product repeated many times (a recurrent weight, used at every time step of a
/// large batch), packed once into the blocked GEMM's panel order so that no step packs it again. Multiply
/// with <see cref="Gemm.AxPacked"/>.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private readonly AlignedBuffer _panels;
    private bool _packed;

    /// <param name="rows">k: rows of the operand B as it enters the product.</param>
    /// <param name="columns">n: columns of B (columns of the result).</param>
    public PackedMatrix(int rows, int columns)
        : this(rows, columns, Gemm.VectorWidth)
    {
    }

    /// <summary>Panels for a kernel of <paramref name="vectorWidth"/> floats per vector (4, 8 or 16), so tests can run the narrower ones.</summary>
    internal PackedMatrix(int rows, int columns, int vectorWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (vectorWidth is not (4 or 8 or 16))
        {
            throw new ArgumentOutOfRangeException(nameof(vectorWidth), vectorWidth, "A vector holds 4, 8 or 16 floats.");
        }

        Rows = rows;
        Columns = columns;
        PanelWidth = 2 * vectorWidth;
        PaddedColumns = (columns + PanelWidth - 1) / PanelWidth * PanelWidth;
        _panels = new AlignedBuffer(checked(rows * PaddedColumns));
    }

    /// <summary>k.</summary>
    public int Rows { get; }

    /// <summary>n.</summary>
    public int Columns { get; }

    /// <summary>Columns per panel (two vectors: the micro-kernel's NR).</summary>
    internal int PanelWidth { get; }

    /// <summary>n rounded up to whole panels.</summary>
    internal int PaddedColumns { get; }

    /// <summary>The parameter version packed last (<see cref="ParameterSet.Version"/>); −1 when unknown.</summary>
    public long PackedVersion { get; private set; } = -1;

    /// <summary>The packed panels (the buffer is pinned).</summary>
    internal float* Data
    {
        get
        {
            fixed (float* start = _panels.Span)
            {
                return start;
            }
        }
    }

    /// <summary>
    /// Packs B = <paramref name="matrix"/> (k × n, row-major), or B = <paramref name="matrix"/>ᵀ when
    /// <paramref name="transposed"/> (then it is n × k, like a PyTorch weight entering x·Wᵀ). Skipped when
    /// <paramref name="version"/> (a <see cref="ParameterSet.Version"/>) is the one packed last time; a negative
    /// version always packs.
    /// </summary>
    public void Pack(ReadOnlySpan<float> matrix, bool transposed, long version = -1)
    {
        if (matrix.Length != Rows * Columns)
        {
            string shape = transposed ? $"[{Columns}, {Rows}]" : $"[{Rows}, {Columns}]";
            throw new ArgumentException($"The matrix has {matrix.Length} elements; expected {shape} = {Rows * Columns}.", nameof(matrix));
        }

        if (_packed && version >= 0 && version == PackedVersion)
        {
            return;
        }

        fixed (float* source = matrix)
        {
            GemmBlocked.PackAll(source, transposed ? Rows : Columns, transposed, Rows, Columns, PanelWidth, Data);
        }

        _packed = true;
        PackedVersion = version;
    }

    /// <summary>Throws unless <see cref="Pack"/> has run (an unpacked operand would silently multiply by zeros).</summary>
    internal void RequirePacked()
    {
        if (!_packed)
        {
            throw new InvalidOperationException("The PackedMatrix has not been packed yet: call Pack first.");
        }
    }
}
