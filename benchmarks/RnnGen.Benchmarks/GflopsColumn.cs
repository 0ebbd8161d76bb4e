using System;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RnnGen.Bench;

namespace RnnGen.Benchmarks;

/// <summary>Floating-point operations per benchmark operation, for <see cref="GflopsColumn"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class FlopsPerOperationAttribute(double flops) : Attribute
{
    public double Flops { get; } = flops;
}

/// <summary>
/// GFLOP/s from the mean time per operation: the FLOPs come from <see cref="FlopsPerOperationAttribute"/>
/// on the method, or from the shape catalog when the benchmark has a <c>Shape</c> parameter.
/// </summary>
internal sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Matrix-product (or FMA) FLOPs per operation / mean time per operation, in 1e9 per second";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = Flops(benchmarkCase);
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return flops is null || meanNs is null or <= 0 ? "-" : (flops.Value / meanNs.Value).ToString("F1", CultureInfo.InvariantCulture);
    }

    private static double? Flops(BenchmarkCase benchmarkCase)
    {
        FlopsPerOperationAttribute? attribute = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<FlopsPerOperationAttribute>();
        if (attribute is not null)
        {
            return attribute.Flops;
        }

        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            if (parameter.Value is BenchShape shape)
            {
                return shape.Flops;
            }

            if (parameter.Value is GemmShape product)
            {
                return product.Flops;
            }

            if (parameter.Name == "Shape" && parameter.Value is string key)
            {
                return BenchCatalog.Get(key).Flops;
            }
        }

        return null;
    }
}
