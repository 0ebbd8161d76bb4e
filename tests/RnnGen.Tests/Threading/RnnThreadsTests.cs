using System;
using Xunit;

namespace RnnGen.Tests.Threading;

[Collection(ThreadCountCollection.Name)]
public sealed class RnnThreadsTests
{
    [Theory]
    [InlineData(null, 6, 6)]
    [InlineData("", 6, 6)]
    [InlineData("  ", 6, 6)]
    [InlineData("1", 6, 1)]
    [InlineData("2", 6, 2)]
    [InlineData(" 3 ", 6, 3)]
    [InlineData("64", 2, 64)]
    public void ParsesPositiveIntegersAndFallsBackToTheProcessorCount(string? value, int processors, int expected) =>
        Assert.Equal(expected, RnnThreads.Parse(value, processors));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+2")]
    [InlineData("two")]
    [InlineData("2.0")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("99999999999")]
    public void RejectsAnythingElseNamingTheVariableAndTheValue(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => RnnThreads.Parse(value, 4));
        Assert.Contains("RNNGEN_THREADS", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetterValidatesAndTheValueSticks()
    {
        int before = RnnThreads.Count;
        Assert.True(before >= 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => RnnThreads.Count = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => RnnThreads.Count = -3);
        Assert.Equal(before, RnnThreads.Count);

        using (new ThreadCountScope(3))
        {
            Assert.Equal(3, RnnThreads.Count);
        }

        Assert.Equal(before, RnnThreads.Count);
    }
}
