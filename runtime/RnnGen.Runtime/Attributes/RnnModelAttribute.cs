using System;

namespace RnnGen;

/// <summary>
/// Marks a <c>partial class</c> as an RnnGen model and fixes its static shapes. The layer attributes
/// that follow (in declaration order) describe the topology; the source generator emits the model.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RnnModelAttribute : Attribute
{
    /// <summary>Number of time steps T of every batch.</summary>
    public int SequenceLength { get; set; }

    /// <summary>Number of sequences B in every batch.</summary>
    public int BatchSize { get; set; }

    /// <summary>Features per step of the float input; omit it when the first layer is <see cref="EmbeddingAttribute"/>.</summary>
    public int InputSize { get; set; }
}
