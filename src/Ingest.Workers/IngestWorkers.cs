using MassTransit;
using Registry.Extracts;
using Registry.Feeds;
using Registry.Ingest.Inbox;
using Registry.Ingest.Jobs;
using Registry.Ingest.Resolution;
using Registry.Ingest.Storage;
using Registry.Ingest.Upload;
using Registry.Resolution;
using Registry.ServiceDefaults;
using Registry.Storage;

namespace Registry.Ingest;

/// <summary>Everything the workers host runs, in start order: migrations, the bus with its consumers, the inboxes, the API pulls.</summary>
public static class IngestWorkers
{
    public const string TelemetrySource = "Registry.Ingest";

    public static IServiceCollection AddIngestWorkers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostedService<MigrateOnStart>();
        services.AddRegistryStorage(configuration);
        services.AddHostedService<BlockingKeyRefreshOnStart>();
        services.AddSingleton(FeedCatalog.LoadFolder(configuration["Feeds:DefinitionsPath"] ?? "deploy/feeds"));
        services.AddSingleton<ExtractStore>();
        services.AddSingleton<ChunkResolver>();
        services.AddOptions<InboxOptions>().BindConfiguration("Inbox");
        services.AddSingleton<ExtractIntake>();
        services.AddRegistryBus(configuration, x =>
        {
            x.AddConsumer<ResolveSourceRowsConsumer, ResolveSourceRowsConsumerDefinition>();
            x.AddConsumer<ChunkFaultConsumer>();
        });
        services.AddHostedService<InboxScanner>();
        services.AddOptions<UploadOptions>().BindConfiguration("Upload");
        services.AddSingleton<UploadedExtractParser>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadedExtractParser>());
        services.AddOptions<TrainingOptions>().BindConfiguration("Matching:Training");
        services.AddSingleton<TrainMatchModelJob>();
        services.AddApiPulls(configuration);
        services.AddHostedService<TrainMatchModelSchedule>();
        return services;
    }
}
