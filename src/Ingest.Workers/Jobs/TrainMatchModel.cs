using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Matching;

namespace Registry.Ingest.Jobs;

/// <summary>Settings of the EM training of the matching model (section <c>Matching:Training</c>).</summary>
public sealed class TrainingOptions
{
    /// <summary>Hours between training runs; 0 switches scheduled training off (the `train-model` verb still works).</summary>
    public double IntervalHours { get; set; } = 24;
    /// <summary>Records the registry must hold before its own data is trusted over the starting values.</summary>
    public int MinRecords { get; set; } = 5_000;
    public int RandomPairs { get; set; } = 50_000;
    public int BlockedPairs { get; set; } = 50_000;
}

/// <summary>
/// Trains a new model version by EM on the registry's own records and stores it; every worker
/// uses it within <see cref="MatchModelStore.RefreshInterval"/>. Decisions already made keep the
/// version they were made with.
/// </summary>
public sealed class TrainMatchModelJob(NpgsqlDataSource dataSource, IOptions<TrainingOptions> options, ILogger<TrainMatchModelJob> logger)
{
    public async Task<TrainingResult?> RunAsync(CancellationToken ct)
    {
        var store = new MatchModelStore(dataSource);
        var current = await store.CurrentAsync(ct);
        var o = options.Value;
        var result = await new EmTrainer(dataSource).TrainAsync(current, o.RandomPairs, o.BlockedPairs, o.MinRecords, ct);
        if (result is null)
        {
            logger.LogInformation("Model training skipped: fewer than {MinRecords} records to learn from; keeping {Version}", o.MinRecords, current.Version);
            return null;
        }
        await store.SaveAsync(result.Model, $"{result.RandomPairs} random pairs, {result.BlockedPairs} blocked pairs, match share {result.MatchShare:F4}, {result.Iterations} EM iterations", ct);
        logger.LogInformation("Trained match model {Version} from {Random} random and {Blocked} blocked pairs ({Iterations} EM iterations)",
            result.Model.Version, result.RandomPairs, result.BlockedPairs, result.Iterations);
        return result;
    }
}

/// <summary>Runs <see cref="TrainMatchModelJob"/> every <see cref="TrainingOptions.IntervalHours"/>.</summary>
public sealed class TrainMatchModelSchedule(TrainMatchModelJob job, IOptions<TrainingOptions> options, ILogger<TrainMatchModelSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.IntervalHours <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromHours(options.Value.IntervalHours));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await job.RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Model training failed; the current model stays in use");
            }
        }
    }
}
