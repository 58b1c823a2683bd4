using MassTransit;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Events;
using Registry.Ingest.Inbox;
using Registry.Ingest.Jobs;
using Registry.Ingest.Resolution;
using Registry.Ingest.Storage;
using Registry.Ingest.Upload;
using Registry.Matching;
using Registry.Resolution;
using Registry.ServiceDefaults;
using Registry.Storage;

namespace Registry.Ingest;

/// <summary>Everything the workers host runs, in start order: migrations, the bus with its consumers, the inboxes, the API pulls.</summary>
public static partial class IngestWorkers
{
    public const string TelemetrySource = "Registry.Ingest";

    public static IServiceCollection AddIngestWorkers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostedService<MigrateOnStart>();
        services.AddRegistryStorage(configuration);
        // Before any row is normalised: the lists and files of Matching:Nicknames (a mistake stops the start).
        Registry.Normalization.NicknameTable.Configure(configuration);
        services.AddSingleton(FeedCatalog.LoadFolder(configuration["Feeds:DefinitionsPath"] ?? "deploy/feeds"));
        services.AddSingleton<ExtractStore>();
        // One candidate index per process, shared by the resolver's consumers and model training.
        services.AddSingleton(sp =>
        {
            var index = new CandidateIndex();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<CandidateIndex>();
            index.IndexRebuilt += (_, _) => LogIndexRebuilt(logger);
            index.OverFullBlocks += (_, e) => LogOverFullBlocks(logger, e.Rows, e.Records, CandidateIndex.MaxBlockCandidates);
            return index;
        });
        services.AddSingleton(sp => new ResolutionSlots(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<BusOptions>>().Value.ConcurrentChunks));
        services.AddSingleton<ChunkResolver>();
        services.AddOptions<ResolutionOptions>().BindConfiguration("Resolution")
            .Validate(o => o.IsValid, "Resolution:Order must be 'canonical' or 'arrival'").ValidateOnStart();
        services.AddOptions<InboxOptions>().BindConfiguration("Inbox");
        services.AddSingleton<ExtractIntake>();
        services.AddRegistryBus(configuration, x =>
        {
            x.AddConsumer<ResolveSourceRowsConsumer, ResolveSourceRowsConsumerDefinition>();
            x.AddConsumer<ChunkFaultConsumer>();
        });
        services.AddSingleton<ConsumerWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsumerWatch>());
        services.AddHealthChecks().AddCheck<ConsumerWatch.HealthCheck>("consumer", tags: ["live"]);
        services.AddHostedService<InboxScanner>();
        services.AddOptions<UploadOptions>().BindConfiguration("Upload");
        services.AddSingleton<UploadedExtractParser>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadedExtractParser>());
        services.AddOptions<TrainingOptions>().BindConfiguration("Matching:Training");
        services.AddSingleton<TrainMatchModelJob>();
        services.AddApiPulls(configuration);
        services.AddHostedService<TrainMatchModelSchedule>();
        services.AddOptions<EventsOptions>().BindConfiguration("Events");
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        services.AddHostedService<Coverage.CoverageRefresher>();
        return services;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is not the one the candidate index was built from (restored to an earlier point, or a standby promoted without the last commits): the index is rebuilt from it")]
    private static partial void LogIndexRebuilt(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Rows} row(s) so far had only generic blocking keys (filed by more than {Cap} records; registry of {Records} records): " +
        "the candidate index gave them no candidate, so only their CURP or agency id could link them. Metric registry.resolution.rows_in_full_blocks; see docs/identity-resolution.md, \"Generic keys\".")]
    private static partial void LogOverFullBlocks(ILogger logger, long rows, int records, int cap);
}
