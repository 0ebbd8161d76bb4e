using System;

namespace RnnGen;

/// <summary>
/// The dtypes the safetensors format defines (huggingface/safetensors <c>Dtype</c>), with their size in
/// bits. F4 and the F6 types pack several elements into a byte; a tensor of them must fill whole bytes.
/// </summary>
internal static class SafeTensorDType
{
    public const string Float32 = "F32";
    public const string Int32 = "I32";

    /// <summary>The element size in bits, or 0 for a name the format does not define.</summary>
    public static int Bits(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E8M0" => 8,
        "I16" or "U16" or "F16" or "BF16" => 16,
        "I32" or "U32" or "F32" => 32,
        "I64" or "U64" or "F64" or "C64" => 64,
        "F4" => 4,
        "F6_E2M3" or "F6_E3M2" => 6,
        _ => 0,
    };

    public static string KnownList =>
        "BOOL, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64, C64, F4, F6_E2M3, F6_E3M2";

    /// <summary>
    /// Bytes of <paramref name="elements"/> elements of <paramref name="bits"/> bits, or null when the
    /// count overflows a long or does not fill whole bytes.
    /// </summary>
    public static long? ByteLength(ulong elements, int bits)
    {
        // elements * bits must not wrap: bits <= 64, so split the product.
        if (elements > (ulong)long.MaxValue / (ulong)bits)
        {
            return null;
        }

        ulong totalBits = elements * (ulong)bits;
        return totalBits % 8 == 0 ? (long)(totalBits / 8) : null;
    }

    /// <summary>The product of the dimensions, or null when it overflows a ulong.</summary>
    public static ulong? ElementCount(ReadOnlySpan<long> shape)
    {
        ulong count = 1;
        foreach (long dim in shape)
        {
            // Like the reference (checked_mul over the dimensions in order), an overflow refuses the
            // shape even when a later dimension is zero.
            if (dim != 0 && count > ulong.MaxValue / (ulong)dim)
            {
                return null;
            }

            count *= (ulong)dim;
        }

        return count;
    }
}
