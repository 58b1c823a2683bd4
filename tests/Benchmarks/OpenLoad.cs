using System.Diagnostics;
using System.Net;

namespace Registry.Benchmarks;

/// <summary>What an open-loop run measured: latencies per kind of request, the rate achieved, errors.</summary>
internal sealed record OpenLoadResult(List<double>[] Latencies, double Rps, int Errors, string? FirstError);

/// <summary>
/// Open loop (bench-lookup, bench-coverage): request k starts at k/rps whatever happened to the others, and its latency
/// counts from that scheduled start, so a slow server shows as latency, not as a lower request rate.
/// </summary>
internal static class OpenLoad
{
    /// <param name="kinds">How many kinds of request; request k is of kind k % kinds.</param>
    /// <param name="path">The path of a request of the given kind (called on the scheduling thread, in order).</param>
    public static async Task<OpenLoadResult> RunAsync(HttpClient http, int rps, int seconds, int kinds, Func<int, string> path)
    {
        var total = rps * seconds;
        var latencies = Enumerable.Range(0, kinds).Select(_ => new List<double>(total)).ToArray();
        var errors = 0;
        string? firstError = null;
        var tasks = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < total; k++)
        {
            var scheduled = TimeSpan.FromSeconds((double)k / rps);
            var wait = scheduled - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var kind = k % kinds;
            var url = path(kind);
            tasks.Add(Task.Run(async () =>
            {
                string? error;
                try
                {
                    using var response = await http.GetAsync(url);
                    await response.Content.ReadAsByteArrayAsync();
                    error = response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode} {url}";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    error = $"{ex.GetType().Name} {url}";
                }
                var ms = (clock.Elapsed - scheduled).TotalMilliseconds;
                lock (tasks)
                {
                    latencies[kind].Add(ms);
                    if (error is not null)
                    {
                        errors++;
                        firstError ??= error;
                    }
                }
            }));
        }
        await Task.WhenAll(tasks);
        return new OpenLoadResult(latencies, total / clock.Elapsed.TotalSeconds, errors, firstError);
    }
}
