namespace RnnGen;

/// <summary>
/// Adam with torch.optim.AdamW semantics: Adam whose weight decay is decoupled from the gradient,
/// <c>p *= 1 - lr * weightDecay</c> before the moment update. State is allocated on the first step.
/// </summary>
public sealed class AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 1e-2f, bool amsgrad = false)
    : AdamOptimizer(decoupledDecay: true, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad)
{
    private protected override string Kind => nameof(AdamW);
}
