using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace RnnGen;

/// <summary>The <c>__metadata__</c> map; a missing key is reported with the key and the file.</summary>
internal sealed class SafeTensorsMetadata : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _entries;
    private readonly string _path;

    public SafeTensorsMetadata(Dictionary<string, string> entries, string path)
    {
        _entries = entries;
        _path = path;
    }

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Keys;

    public IEnumerable<string> Values => _entries.Values;

    public string this[string key] => _entries.TryGetValue(key, out string? value)
        ? value
        : throw new KeyNotFoundException($"No metadata entry '{key}' in '{_path}'. Entries: {SafeTensorsFile.NameList(_entries.Keys)}.");

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => _entries.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
