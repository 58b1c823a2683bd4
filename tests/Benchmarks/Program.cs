using Registry.Benchmarks;

return args switch
{
    ["ingest", ..] => await IngestBenchmark.RunAsync(args[1..]),
    ["resolve", ..] => await ResolveBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Benchmarks ingest [--rows N] [--chunk N] | resolve [--records N] [--incremental N] [--chunk N] [--consumers N]");
    return 2;
}
