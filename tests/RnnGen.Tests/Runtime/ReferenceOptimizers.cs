using System;
using System.Collections.Generic;

namespace RnnGen.Tests.Runtime;

/// <summary>The RnnGen spelling of each torch configuration in optimizer_reference.py, by the name the script gives it.</summary>
internal static class ReferenceOptimizers
{
    private static readonly Dictionary<string, Func<Optimizer>> Factories = new()
    {
        ["SGD lr=0.1"] = () => new Sgd(0.1f),
        ["SGD lr=0.1 weight_decay=0.1"] = () => new Sgd(0.1f, weightDecay: 0.1f),
        ["SGD lr=0.1 momentum=0.9"] = () => new Sgd(0.1f, momentum: 0.9f),
        ["SGD lr=0.1 momentum=0.9 dampening=0.5"] = () => new Sgd(0.1f, momentum: 0.9f, dampening: 0.5f),
        ["SGD lr=0.05 momentum=0.5 dampening=0.1 weight_decay=0.05"] = () => new Sgd(0.05f, momentum: 0.5f, dampening: 0.1f, weightDecay: 0.05f),
        ["SGD lr=0.1 momentum=0.9 nesterov"] = () => new Sgd(0.1f, momentum: 0.9f, nesterov: true),
        ["SGD lr=0.1 momentum=0.9 weight_decay=0.01 nesterov"] = () => new Sgd(0.1f, momentum: 0.9f, weightDecay: 0.01f, nesterov: true),
        ["Adagrad defaults"] = () => new Adagrad(),
        ["Adagrad lr=0.1 lr_decay=0.05"] = () => new Adagrad(0.1f, lrDecay: 0.05f),
        ["Adagrad lr=0.1 initial_accumulator_value=0.5"] = () => new Adagrad(0.1f, initialAccumulatorValue: 0.5f),
        ["Adagrad lr=0.1 weight_decay=0.1"] = () => new Adagrad(0.1f, weightDecay: 0.1f),
        ["Adagrad lr=0.1 lr_decay=0.01 weight_decay=0.05 initial_accumulator_value=0.1 eps=1e-6"] =
            () => new Adagrad(0.1f, lrDecay: 0.01f, weightDecay: 0.05f, initialAccumulatorValue: 0.1f, epsilon: 1e-6f),
        ["RMSprop defaults"] = () => new RmsProp(),
        ["RMSprop lr=0.01 alpha=0.9 eps=1e-6"] = () => new RmsProp(0.01f, alpha: 0.9f, epsilon: 1e-6f),
        ["RMSprop centered"] = () => new RmsProp(centered: true),
        ["RMSprop momentum=0.9"] = () => new RmsProp(momentum: 0.9f),
        ["RMSprop lr=0.005 momentum=0.8 centered weight_decay=0.1"] = () => new RmsProp(0.005f, momentum: 0.8f, centered: true, weightDecay: 0.1f),
        ["Adam defaults"] = () => new Adam(),
        ["Adam lr=0.01 betas=(0.8,0.99) eps=1e-6 weight_decay=0.1"] = () => new Adam(0.01f, beta1: 0.8f, beta2: 0.99f, epsilon: 1e-6f, weightDecay: 0.1f),
        ["Adam amsgrad"] = () => new Adam(amsgrad: true),
        ["Adam lr=0.01 weight_decay=0.05 amsgrad"] = () => new Adam(0.01f, weightDecay: 0.05f, amsgrad: true),
        ["AdamW defaults"] = () => new AdamW(),
        ["AdamW lr=0.01 weight_decay=0.1"] = () => new AdamW(0.01f, weightDecay: 0.1f),
        ["AdamW lr=0.01 betas=(0.85,0.995) weight_decay=0.1 amsgrad"] = () => new AdamW(0.01f, beta1: 0.85f, beta2: 0.995f, weightDecay: 0.1f, amsgrad: true),
        ["AdamW weight_decay=0"] = () => new AdamW(weightDecay: 0),
    };

    public static Optimizer Create(string name) =>
        Factories.TryGetValue(name, out var create) ? create() : throw new ArgumentException($"No RnnGen spelling for '{name}'; add one here.", nameof(name));

    /// <summary>Optimizer and schedule together, as the "combined" section of the reference.</summary>
    public static (Optimizer Optimizer, ILearningRateSchedule Schedule) CreateCombined(string name)
    {
        switch (name)
        {
            case "Adam lr=0.01 + SequentialLR LinearLR(0.2, 1, 3) then CosineAnnealingLR(3, 1e-3) at 3":
                {
                    var adam = new Adam(0.01f);
                    var sequence = new SequentialLR(adam, [new LinearLR(adam, startFactor: 0.2, totalIters: 3), new CosineAnnealingLR(adam, tMax: 3, etaMin: 1e-3)], milestones: [3]);
                    return (adam, sequence);
                }

            case "SGD lr=0.1 momentum=0.9 + StepLR step_size=2 gamma=0.3":
                {
                    var sgd = new Sgd(0.1f, momentum: 0.9f);
                    return (sgd, new StepLR(sgd, stepSize: 2, gamma: 0.3));
                }

            default:
                throw new ArgumentException($"No RnnGen spelling for '{name}'; add one here.", nameof(name));
        }
    }
}
