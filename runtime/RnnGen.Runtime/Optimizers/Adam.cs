namespace RnnGen;

/// <summary>
/// Adam with torch.optim.Adam semantics: bias-corrected moments, weight decay as an L2 term added to the
/// gradient (see <see cref="AdamW"/> for decoupled decay), optionally AMSGrad. State is allocated on the first step.
/// </summary>
public sealed class Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0, bool amsgrad = false)
    : AdamOptimizer(decoupledDecay: false, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad)
{
    private protected override string Kind => nameof(Adam);
}
