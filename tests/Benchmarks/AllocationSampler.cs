using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Registry.Benchmarks;

/// <summary>With BENCH_ALLOC=1: samples the runtime's allocation ticks (one per ~100 KB) by type.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> bytes = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
        var type = e.Payload[e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames!.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }

    public void Print()
    {
        var total = bytes.Values.Sum();
        foreach (var (type, n) in bytes.OrderByDescending(kv => kv.Value).Take(30))
            Console.WriteLine($"  alloc {n * 100.0 / total,5:F1}%  {n / (1 << 20),8:N0} MB  {type}");
    }
}
