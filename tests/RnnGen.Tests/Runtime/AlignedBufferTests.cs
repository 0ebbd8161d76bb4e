using System;
using Xunit;

namespace RnnGen.Tests.Runtime;

/// <summary>
/// A buffer that cannot be allocated fails with a message naming its owner and size. Deterministic without
/// exhausting the machine: .NET refuses any array longer than <see cref="Array.MaxLength"/> elements with an
/// OutOfMemoryException before it allocates, so a length whose storage (plus the alignment slack) exceeds that
/// limit fails the same way on every machine. (The generator test OutOfMemoryTests covers a real shortage.)
/// </summary>
public sealed class AlignedBufferTests
{
    [Theory]
    [InlineData(2_147_483_583)] // Array.MaxLength − 8: only the alignment slack is too much
    [InlineData(2_147_483_640)] // the slack would overflow an int
    [InlineData(int.MaxValue)]
    public void AnImpossibleLengthFailsNamingTheOwnerAndTheSize(int length)
    {
        var error = Assert.Throws<OutOfMemoryException>(() => new AlignedBuffer(length, "Demo.Model activations"));
        string floats = length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        string megabytes = (length * 4.0 / (1 << 20)).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"Demo.Model activations: could not allocate {floats} floats ({megabytes} MB).", error.Message, StringComparison.Ordinal);

        // Without an owner the message still gives the size.
        var bare = Assert.Throws<OutOfMemoryException>(() => new AlignedBuffer(length));
        Assert.Contains($"could not allocate {floats} floats", bare.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANegativeLengthIsAnArgumentError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1, "Demo"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1));
    }

    [Fact]
    public void TheFirstElementIsAlignedTo64Bytes()
    {
        foreach (int length in new[] { 0, 1, 17, 1000 })
        {
            var buffer = new AlignedBuffer(length, "Demo");
            Assert.Equal(length, buffer.Span.Length);
            unsafe
            {
                fixed (float* p = buffer.Span)
                {
                    Assert.True(length == 0 || ((nint)p & 63) == 0, $"length {length}: first element at {(nint)p:X}");
                }
            }
        }
    }
}
