using Registry.Benchmarks;

return args switch
{
    ["ingest", ..] => await IngestBenchmark.RunAsync(args[1..]),
    ["resolve", ..] => await ResolveBenchmark.RunAsync(args[1..]),
    ["lookup", ..] => await LookupBenchmark.RunAsync(args[1..]),
    ["coverage", ..] => await CoverageBenchmark.RunAsync(args[1..]),
    ["accuracy", ..] => await AccuracyBenchmark.RunAsync(args[1..]),
    ["blocks", ..] => BlocksBenchmark.Run(args[1..]),
    ["synth", ..] => SynthCommand.Run(args[1..]),
    ["golden", ..] => GoldenBenchmark.Run(args[1..]),
    ["index", ..] => IndexBenchmark.Run(args[1..]),
    ["cold-load", ..] => await ColdLoadBenchmark.RunAsync(args[1..]),
    ["cluster", ..] => await ClusterTest.RunAsync(args[1..]),
    ["faults", ..] => await FaultBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Benchmarks ingest [--rows N] [--chunk N]");
    Console.Error.WriteLine("       Benchmarks resolve [--records N] [--incremental N] [--chunk N] [--consumers N] [--keep]");
    Console.Error.WriteLine("       Benchmarks lookup [--persons N] [--rps N] [--seconds N] [--keep]");
    Console.Error.WriteLine("       Benchmarks coverage [--persons N] [--rps N] [--seconds N] [--changes N] [--keep] [--existing DB]");
    Console.Error.WriteLine("       Benchmarks accuracy [--profile clean|typical|hard] [--records N] [--seed N] [--dataset febrl2] [--keep]");
    Console.Error.WriteLine("       Benchmarks blocks [--records N] [--source bench|synth] [--profile P] [--seed N] [--plain]");
    Console.Error.WriteLine("       Benchmarks index [--records N] [--chunk N] [--plain]");
    Console.Error.WriteLine("       Benchmarks cold-load [--records N] [--loads N] [--keep] [--existing DB]   (make bench-cold-load)");
    Console.Error.WriteLine("       Benchmarks cluster [--records N] [--profile P] [--seed N] [--rabbit-node 1..3, default the queue leader] [--wave-timeout S] [--exact]   (make cluster-test)");
    Console.Error.WriteLine("       Benchmarks synth --out FOLDER [--records N] [--profile P] [--seed N] [--feeds all|code,code]");
    return 2;
}
