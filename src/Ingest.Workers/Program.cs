using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registry.Ingest;
using Registry.Ingest.Jobs;
using Registry.Ingest.Upload;
using Registry.Resolution;
using Registry.ServiceDefaults;
using Registry.Storage;

var builder = WebApplication.CreateBuilder(args);

if (args.Contains("migrate"))
{
    // `dotnet run --project src/Ingest.Workers -- migrate`: apply the numbered SQL migrations (as ConnectionStrings:RegistryOwner) and exit.
    using var loggerFactory = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true));
    var applied = await Registry.Ingest.Storage.WorkersMigration.ApplyAsync(builder.Configuration, loggerFactory.CreateLogger("migrate"), default);
    Console.WriteLine(applied.Count == 0 ? "Database is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
    return;
}

if (args.Contains("train-model"))
{
    // `dotnet run --project src/Ingest.Workers -- train-model`: one EM training run now, then exit.
    builder.Services.AddRegistryStorage(builder.Configuration);
    Registry.Normalization.NicknameTable.Configure(builder.Configuration);
    builder.Services.AddOptions<TrainingOptions>().BindConfiguration("Matching:Training");
    builder.Services.AddSingleton<Registry.Matching.CandidateIndex>();
    builder.Services.AddSingleton<TrainMatchModelJob>();
    using var host = builder.Build();
    var result = await host.Services.GetRequiredService<TrainMatchModelJob>().RunAsync(default);
    Console.WriteLine(result is not { } trained ? "Not enough records to train on; the current model stays."
        : $"Stored model {trained.Result.Model.Version} as {(trained.Report.Promoted ? "the model in force" : "a shadow")}: {trained.Report.Decision}");
    return;
}

if (args.Contains("requeue-failed"))
{
    // `dotnet run --project src/Ingest.Workers -- requeue-failed`: after fixing what made chunks fail, send them back to resolution.
    var requeued = await Registry.Ingest.Resolution.PoisonChunks.RequeueAsync(
        builder.Configuration.GetConnectionString(RegistryBus.ConnectionStringName) ?? "",
        builder.Configuration.GetSection("Bus").Get<BusOptions>() ?? new BusOptions(),
        RegistryStorage.RequireConnectionString(builder.Configuration), default);
    Console.WriteLine($"Moved {requeued.Messages} chunk(s) from the error queue back to resolution; extracts queued again: " +
        (requeued.Extracts.Count == 0 ? "none" : string.Join(", ", requeued.Extracts)));
    return;
}

builder.AddServiceDefaults("ingest-workers", HealthStatus.Degraded, IngestWorkers.TelemetrySource, ResolutionTelemetry.SourceName);
builder.Services.AddIngestWorkers(builder.Configuration);

var app = builder.Build();
RuntimeSettings.Log(app.Logger);
app.MapDefaultEndpoints();
app.MapUploads();
app.MapPulls();
app.Run();
