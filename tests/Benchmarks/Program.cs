using Registry.Benchmarks;

return args switch
{
    ["ingest", ..] => await IngestBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Benchmarks ingest [--rows N] [--chunk N]");
    return 2;
}
