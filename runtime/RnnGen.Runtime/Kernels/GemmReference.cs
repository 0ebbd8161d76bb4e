using System;

namespace RnnGen.Kernels;

/// <summary>
/// Plain triple-loop matrix products: the scalar reference every optimized kernel is tested against.
/// Same contract as <see cref="Gemm"/>: row-major operands with leading dimensions; when
/// <c>accumulate</c> is false, C is overwritten, otherwise added to.
/// </summary>
public static class GemmReference
{
    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ.</summary>
    public static void AxBt(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[i * lda + p] * b[j * ldb + p];
                }

                c[i * ldc + j] = (float)(accumulate ? c[i * ldc + j] + sum : sum);
            }
        }
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void AxB(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[i * lda + p] * b[p * ldb + j];
                }

                c[i * ldc + j] = (float)(accumulate ? c[i * ldc + j] + sum : sum);
            }
        }
    }

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n].</summary>
    public static void AtxB(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[p * lda + i] * b[p * ldb + j];
                }

                c[i * ldc + j] = (float)(accumulate ? c[i * ldc + j] + sum : sum);
            }
        }
    }
}
