using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Matching;

namespace Registry.Ingest.Jobs;

/// <summary>Settings of the EM training of the matching model (section <c>Matching:Training</c>).</summary>
public sealed class TrainingOptions
{
    /// <summary>When to train (cron, UTC; a Hangfire recurring job); empty switches scheduled training off (the `train-model` verb still works).</summary>
    public string Schedule { get; set; } = "0 3 * * *";
    /// <summary>Records the registry must hold before its own data is trusted over the starting values.</summary>
    public int MinRecords { get; set; } = 5_000;
    public int RandomPairs { get; set; } = 50_000;
    public int BlockedPairs { get; set; } = 50_000;
    /// <summary>Decided review tasks needed before a trained model may go into force by itself (fewer: it stays a shadow).</summary>
    public int MinLabels { get; set; } = ModelGate.DefaultMinLabels;
    /// <summary>Existing probabilistic links re-scored for the report (how many the new model would not link).</summary>
    public int LinkSample { get; set; } = ModelGate.DefaultLinkSample;
}

/// <summary>
/// Trains a new model version by EM on the registry's own records and stores it with its gate
/// report (<see cref="ModelGate"/>): in force only when its precision estimated from the stewards'
/// decided review tasks does not drop, otherwise a shadow an admin may promote. Workers use a model
/// put in force within <see cref="MatchModelStore.RefreshInterval"/>. Decisions already made keep
/// the version they were made with.
/// </summary>
public sealed class TrainMatchModelJob(NpgsqlDataSource dataSource, CandidateIndex index, IOptions<TrainingOptions> options, ILogger<TrainMatchModelJob> logger)
{
    public const string RecurringId = "train-match-model";
    public const string Queue = "maintenance";

    /// <summary>The Hangfire entry point: a failed run is not retried (the current model stays in use until the next occurrence).</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task RunScheduledAsync(CancellationToken ct) => await RunAsync(ct);

    public async Task<(TrainingResult Result, ModelReport Report)?> RunAsync(CancellationToken ct)
    {
        var store = new MatchModelStore(dataSource);
        var current = await store.CurrentAsync(ct);
        var o = options.Value;
        // EM starts from the starting values, not from the model in force: each run is judged on its
        // own, and a drifted model cannot become the prior of the next one.
        var result = await new EmTrainer(dataSource, index).TrainAsync(MatchModel.Default with { LinkThreshold = current.LinkThreshold, ReviewThreshold = current.ReviewThreshold },
            o.RandomPairs, o.BlockedPairs, o.MinRecords, ct);
        if (result is null)
        {
            logger.LogInformation("Model training skipped: fewer than {MinRecords} records to learn from; keeping {Version}", o.MinRecords, current.Version);
            return null;
        }
        var trainedOn = $"{result.RandomPairs} random pairs, {result.BlockedPairs} blocked pairs ({result.RepeatedPairsSkipped} pairs of identical records skipped), match share {result.MatchShare:F4}, {result.Iterations} EM iterations";
        var report = await new ModelGate(dataSource).EvaluateAsync(result.Model, current, o.MinLabels, o.LinkSample, trainedOn, ct);
        await store.SaveTrainedAsync(result.Model, trainedOn, report, ct);
        logger.LogInformation("Trained match model {Version} from {Random} random and {Blocked} blocked pairs ({Iterations} EM iterations): {Decision}",
            result.Model.Version, result.RandomPairs, result.BlockedPairs, result.Iterations, report.Decision);
        return (result, report);
    }
}

/// <summary>
/// Keeps Hangfire's recurring job <see cref="TrainMatchModelJob.RecurringId"/> on
/// <see cref="TrainingOptions.Schedule"/> (removed when the schedule is empty). Several workers
/// processes register the same job; Hangfire runs each occurrence once.
/// </summary>
public sealed class TrainMatchModelSchedule(IRecurringJobManager recurring, IOptions<TrainingOptions> options, ILogger<TrainMatchModelSchedule> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.Schedule))
        {
            recurring.RemoveIfExists(TrainMatchModelJob.RecurringId);
            return Task.CompletedTask;
        }
        recurring.AddOrUpdate<TrainMatchModelJob>(TrainMatchModelJob.RecurringId, TrainMatchModelJob.Queue, job => job.RunScheduledAsync(CancellationToken.None),
            options.Value.Schedule, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        logger.LogInformation("The matching model is trained on schedule '{Cron}' (UTC)", options.Value.Schedule);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
