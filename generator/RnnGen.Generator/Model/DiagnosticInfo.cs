using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RnnGen.Generator;

/// <summary>A Location without the syntax tree it points into, so it can be cached.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>
/// A diagnostic to report: its descriptor (equatable, so the record stays cacheable), where, and its message
/// arguments already formatted (System.Text.Json's generator does the same).
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), System.Linq.Enumerable.ToArray<object>(Arguments));
}

/// <summary>
/// What parsing one model class produced: a spec when the declaration is valid, diagnostics otherwise (or as
/// well), and for a valid model the memory it allocates (kept apart from the spec, which holds no location).
/// </summary>
internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, BufferReport? Buffers = null);

/// <summary>The bytes a valid model allocates when constructed, and where to warn when they are many.</summary>
internal sealed record BufferReport(string ClassName, LocationInfo? Location, long ParameterBytes, long ActivationBytes, long GradientBytes)
{
    /// <summary>Parameters, their gradients, activations and activation gradients.</summary>
    public long Total => (2 * ParameterBytes) + ActivationBytes + GradientBytes;
}
