// Weights both ways between PyTorch and RnnGen, checked on outputs:
//   1. PyTorch -> RnnGen: interop.py trains nn.LSTM (2 layers) and bidirectional nn.GRU models a little and saves each
//      state_dict with test inputs (ragged, through pack_padded_sequence) and PyTorch's outputs; the generated models
//      declared in Models.cs load the state_dicts as they are and reproduce the outputs to 1e-5.
//   2. RnnGen -> PyTorch: a 2-layer bidirectional LSTM classifier and a GRU are trained here with Trainer.Fit and saved
//      with test inputs and RnnGen's outputs; interop.py loads them into nn.LSTM / nn.GRU + nn.Linear with
//      load_state_dict(strict=True) and reproduces RnnGen's outputs to 1e-5.
// Needs Python 3 with PyTorch (Debian: apt-get install python3-torch); without it the sample says so and exits 0.
//
//   dotnet run -c Release --project samples/PyTorchInterop [-- --out DIR]
using System;
using System.IO;
using PyTorchInterop;

string directory = args is ["--out", string chosen] ? chosen : Path.Combine("artifacts", "pytorch-interop");
if (args.Length > 0 && args is not ["--out", _])
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project samples/PyTorchInterop [-- --out DIR]");
    return 2;
}

Python? python = Python.Find(out string why);
if (python is null)
{
    Console.WriteLine($"Skipped: this sample needs Python 3 with PyTorch and NumPy, and {why}.");
    Console.WriteLine("Install them (Debian/Ubuntu: apt-get install python3-torch) or point RNNGEN_PYTHON at a python that has them.");
    return 0;
}

Directory.CreateDirectory(directory);
Console.WriteLine($"Python: {python.Executable}, PyTorch {python.TorchVersion}; files in {directory}");

Console.WriteLine();
Console.WriteLine("1. PyTorch -> RnnGen: interop.py trains and saves; the generated models load the state_dicts and run the same inputs.");
if (python.RunScript("export", directory) != 0)
{
    Console.Error.WriteLine("interop.py export failed (its output is above).");
    return 1;
}

double worst = Math.Max(
    TorchToRnnGen.Check(Path.Combine(directory, "torch_lstm2_sequence.safetensors"), new TorchLstmSequence()),
    TorchToRnnGen.Check(Path.Combine(directory, "torch_bigru_last.safetensors"), new TorchBiGruLast()));

Console.WriteLine();
Console.WriteLine("2. RnnGen -> PyTorch: trained here with Trainer.Fit and saved; interop.py loads them into nn modules and runs the same inputs.");
string classifier = RnnGenToTorch.Classifier(directory);
string runningMean = RnnGenToTorch.RunningMean(directory);
int check = python.RunScript("check", classifier, runningMean);

Console.WriteLine();
bool passed = worst <= TestFile.Tolerance && check == 0;
Console.WriteLine(passed
    ? "Both directions agree within 1e-5."
    : "MISMATCH: an output differs by more than 1e-5 (see above).");
return passed ? 0 : 1;
