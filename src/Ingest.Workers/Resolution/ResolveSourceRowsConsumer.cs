using MassTransit;
using Microsoft.Extensions.Options;
using Registry.Contracts;
using Registry.Resolution;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Resolution;

/// <summary>
/// <c>Resolution</c> settings of the workers host. <see cref="Order"/>: <c>canonical</c> (the default) resolves chunks
/// in the order their extracts were registered, each extract's chunks in order, so the same extracts give the same
/// persons whatever the workers' number, timing or faults; <c>arrival</c> resolves each chunk as it arrives — no
/// waiting behind a large extract, but a borderline row's person can then depend on timing (about 1 row in 1,000 in
/// our fault runs). <see cref="TurnPatience"/>: how long a chunk waits in place for its turn while no chunk ahead
/// gets resolved, before it goes back to the queue.
/// </summary>
public sealed class ResolutionOptions
{
    public string Order { get; set; } = "canonical";

    public TimeSpan TurnPatience { get; set; } = TimeSpan.FromSeconds(5);

    public bool Canonical => Order.Equals("canonical", StringComparison.OrdinalIgnoreCase);

    public bool IsValid => Canonical || Order.Equals("arrival", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Resolves one chunk of accepted rows into the registry (see <see cref="ChunkResolver"/>). In canonical order a
/// chunk whose turn did not come in time is sent back to the resolution queue (after the broker confirmed it, so it
/// is never lost; a duplicate is a no-op) and this delivery completes.
/// </summary>
public sealed class ResolveSourceRowsConsumer(ChunkResolver resolver, IOptions<ResolutionOptions> options, IOptions<BusOptions> bus)
    : IConsumer<ResolveSourceRows>
{
    public async Task Consume(ConsumeContext<ResolveSourceRows> context)
    {
        var settings = options.Value;
        if (!settings.Canonical)
        {
            await resolver.ApplyAsync(context.Message, context.CancellationToken);
            return;
        }
        if (await resolver.ApplyInTurnAsync(context.Message, settings.TurnPatience, context.CancellationToken) != ChunkOutcome.NotItsTurn) return;
        var endpoint = await context.GetSendEndpoint(RegistryBus.ResolutionAddress(bus.Value));
        await endpoint.Send(context.Message, context.CancellationToken);
    }
}

/// <summary>
/// Queue name and concurrency of the resolution endpoint: <see cref="ResolutionSlots.WaitingPerSlot"/> chunks per slot
/// taken at once, and no more fetched than are taken — a chunk fetched but not taken could be the one the taken ones
/// wait for (<see cref="ResolutionSlots"/>).
/// </summary>
public sealed class ResolveSourceRowsConsumerDefinition : ConsumerDefinition<ResolveSourceRowsConsumer>
{
    public ResolveSourceRowsConsumerDefinition(IOptions<BusOptions> options)
    {
        EndpointName = RegistryBus.ResolutionQueue(options.Value);
        ConcurrentMessageLimit = Math.Max(1, options.Value.ConcurrentChunks) * ResolutionSlots.WaitingPerSlot;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ResolveSourceRowsConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = ConcurrentMessageLimit ?? 1;
    }
}
