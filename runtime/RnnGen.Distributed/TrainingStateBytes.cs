using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace RnnGen.Distributed;

/// <summary>
/// An optimizer's and a schedule's state as bytes, for <see cref="DataParallel.BroadcastTrainingState"/>: kind,
/// scalars (exact text) and tensors (name, shape, float bits), little-endian; read back exactly as written.
/// </summary>
internal static class TrainingStateBytes
{
    private const int Magic = 0x52475354; // "RGST"

    public static byte[] Write(OptimizerState optimizer, ScheduleState? schedule)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(optimizer.Kind);
            WriteScalars(writer, optimizer.Scalars);
            writer.Write(optimizer.TensorNames.Count);
            foreach (string name in optimizer.TensorNames)
            {
                int[] shape = optimizer.GetShape(name);
                writer.Write(name);
                writer.Write(shape.Length);
                foreach (int dim in shape)
                {
                    writer.Write(dim);
                }

                ReadOnlySpan<float> values = optimizer.GetTensor(name);
                writer.Write(values.Length);
                writer.Write(MemoryMarshal.AsBytes(values));
            }

            writer.Write(schedule is not null);
            if (schedule is not null)
            {
                writer.Write(schedule.Kind);
                WriteScalars(writer, schedule.Scalars);
            }
        }

        return stream.ToArray();
    }

    public static (OptimizerState Optimizer, ScheduleState? Schedule) Read(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (reader.ReadInt32() != Magic)
        {
            throw new DistributedException("The training state received from rank 0 is not in RnnGen's format.");
        }

        var optimizer = new OptimizerState(reader.ReadString());
        foreach ((string key, string value) in ReadScalars(reader))
        {
            optimizer.SetScalar(key, value);
        }

        int tensors = reader.ReadInt32();
        for (int i = 0; i < tensors; i++)
        {
            string name = reader.ReadString();
            var shape = new int[reader.ReadInt32()];
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = reader.ReadInt32();
            }

            var values = new float[reader.ReadInt32()];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            optimizer.SetTensor(name, shape, values);
        }

        ScheduleState? schedule = null;
        if (reader.ReadBoolean())
        {
            schedule = new ScheduleState(reader.ReadString());
            foreach ((string key, string value) in ReadScalars(reader))
            {
                schedule.SetScalar(key, value);
            }
        }

        return (optimizer, schedule);
    }

    private static void WriteScalars(BinaryWriter writer, IReadOnlyDictionary<string, string> scalars)
    {
        writer.Write(scalars.Count);
        foreach (KeyValuePair<string, string> pair in scalars)
        {
            writer.Write(pair.Key);
            writer.Write(pair.Value);
        }
    }

    private static IEnumerable<(string Key, string Value)> ReadScalars(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        var scalars = new List<(string, string)>(count);
        for (int i = 0; i < count; i++)
        {
            scalars.Add((reader.ReadString(), reader.ReadString()));
        }

        return scalars;
    }
}
