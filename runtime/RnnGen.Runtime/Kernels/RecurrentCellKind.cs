// Compiled into the runtime and, as a linked file, into the generator (RNNGEN_GENERATOR), which names
// these values in the code it writes.
#if RNNGEN_GENERATOR
namespace RnnGen.Generator;
#else
namespace RnnGen.Kernels;
#endif

/// <summary>The recurrent cells the runtime implements (<c>RecurrentLayer</c>'s registry).</summary>
public enum RecurrentCellKind
{
    SimpleRnnTanh,
    SimpleRnnRelu,
    Lstm,
    PeepholeLstm,
    LayerNormLstm,
    LayerNormPeepholeLstm,
    Gru,
}
