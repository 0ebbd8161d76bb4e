using System.Numerics;

namespace RnnGen;

/// <summary>
/// One optimizer's per-element update for one step: its scalars are fields, computed once per step.
/// <see cref="ElementwiseUpdate"/> runs it over a tensor with up to three state buffers (moments,
/// accumulators, momentum); buffers a rule does not use are scratch and ignored.
/// The scalar overload is the plain reference, in torch's operation order; the vector overload must
/// perform the same IEEE operations in the same order, so both give identical bits.
/// </summary>
internal interface IUpdateRule
{
    void Update(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> state0, ref Vector<float> state1, ref Vector<float> state2);

    void Update(ref float parameter, float gradient, ref float state0, ref float state1, ref float state2);
}
