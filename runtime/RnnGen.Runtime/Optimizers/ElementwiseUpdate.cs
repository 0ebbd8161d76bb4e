using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// The one loop every optimizer runs: a rule applied element by element to a tensor and its state,
/// vectorised with <see cref="Vector{T}"/> and finished by the scalar rule on the tail. Generic over the
/// rule struct, so the JIT compiles a specialised loop per optimizer with the rule inlined.
/// </summary>
internal static class ElementwiseUpdate
{
    /// <param name="scalarOnly">Runs the scalar reference over every element (tests compare the two paths).</param>
    public static void Run<TRule>(in TRule rule, Span<float> p, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, Span<float> s2, bool scalarOnly = false)
        where TRule : struct, IUpdateRule
    {
        Debug.Assert(g.Length == p.Length);
        Debug.Assert(s0.IsEmpty || s0.Length == p.Length);
        Debug.Assert(s1.IsEmpty || s1.Length == p.Length);
        Debug.Assert(s2.IsEmpty || s2.Length == p.Length);
        bool has0 = !s0.IsEmpty;
        bool has1 = !s1.IsEmpty;
        bool has2 = !s2.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated && !scalarOnly)
        {
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            Span<Vector<float>> s0v = MemoryMarshal.Cast<float, Vector<float>>(s0);
            Span<Vector<float>> s1v = MemoryMarshal.Cast<float, Vector<float>>(s1);
            Span<Vector<float>> s2v = MemoryMarshal.Cast<float, Vector<float>>(s2);
            Vector<float> scratch0 = default, scratch1 = default, scratch2 = default;
            for (int k = 0; k < pv.Length; k++)
            {
                rule.Update(
                    ref pv[k],
                    gv[k],
                    ref has0 ? ref s0v[k] : ref scratch0,
                    ref has1 ? ref s1v[k] : ref scratch1,
                    ref has2 ? ref s2v[k] : ref scratch2);
            }

            i = pv.Length * Vector<float>.Count;
        }

        float t0 = 0, t1 = 0, t2 = 0;
        for (; i < p.Length; i++)
        {
            rule.Update(
                ref p[i],
                g[i],
                ref has0 ? ref s0[i] : ref t0,
                ref has1 ? ref s1[i] : ref t1,
                ref has2 ? ref s2[i] : ref t2);
        }
    }
}
