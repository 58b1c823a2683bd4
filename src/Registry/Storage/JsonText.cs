using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Registry.Storage;

/// <summary>
/// JSON text written directly with one reused buffer and writer per thread: for documents the resolver
/// writes for every row (golden records, match evidence), where a serializer call per row showed in
/// the allocation profile.
/// </summary>
public static class JsonText
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? buffer;
    [ThreadStatic] private static Utf8JsonWriter? writer;

    public static string Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var bytes = buffer ??= new ArrayBufferWriter<byte>(1024);
        bytes.ResetWrittenCount();
        var json = writer ??= new Utf8JsonWriter(bytes);
        json.Reset(bytes);
        write(json, state);
        json.Flush();
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }
}
