using System;
using System.Diagnostics;
using System.Globalization;
using RnnGen;
using RnnGen.SaveWorker;

// loop <path>              saves variants 0 and 1 to <path> in turn until killed, printing "saved <n>" after each
// once <path> <variant>    saves one variant and exits
// large <path> <rows> <cols> [--no-save]  saves one [rows, cols] tensor (the by-hand check of a 2.4 GB save;
//                          --no-save measures the same process without the save, for its peak memory)
// allocate <floats> <owner>   allocates an AlignedBuffer for <owner>; prints the exception if that fails
switch (args.Length > 0 ? args[0] : "")
{
    case "loop" when args.Length == 2:
        ParameterSet[] sets = [SaveWorkerContents.Filled(0), SaveWorkerContents.Filled(1)];
        for (long n = 0; ; n++)
        {
            sets[n % 2].Save(args[1]);
            Console.Out.WriteLine($"saved {n}");
            Console.Out.Flush();
        }

    case "once" when args.Length == 3:
        SaveWorkerContents.Filled(int.Parse(args[2], CultureInfo.InvariantCulture)).Save(args[1]);
        return 0;

    case "large" when args.Length == 4 || (args.Length == 5 && args[4] == "--no-save"):
        int rows = int.Parse(args[2], CultureInfo.InvariantCulture), cols = int.Parse(args[3], CultureInfo.InvariantCulture);
        var large = new ParameterSet([("embed.weight", [rows, cols])]);
        Span<float> weights = large["embed.weight"];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = i;   // exact in float up to 2^24, then rounded: the check recomputes the same way
        }

        if (args.Length == 5)
        {
            Console.Out.WriteLine($"filled {weights.Length:N0} floats, not saved");
            return 0;
        }

        var clock = Stopwatch.StartNew();
        large.Save(args[1]);
        Console.Out.WriteLine($"saved {weights.Length:N0} floats in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;

    case "allocate" when args.Length == 3:
        try
        {
            var buffer = new AlignedBuffer(int.Parse(args[1], CultureInfo.InvariantCulture), args[2]);
            buffer.Span.Fill(1f);   // touch the pages, so a lazily committed heap cannot pass by accident
            Console.Out.WriteLine("allocated");
            return 0;
        }
        catch (OutOfMemoryException e)
        {
            Console.Error.WriteLine($"{e.GetType().FullName}: {e.Message}");
            return 3;
        }

    default:
        Console.Error.WriteLine("usage: loop <path> | once <path> <variant> | large <path> <rows> <cols> | allocate <floats> <owner>");
        return 2;
}
