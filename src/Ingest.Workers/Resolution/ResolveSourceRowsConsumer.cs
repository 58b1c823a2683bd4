using MassTransit;
using Microsoft.Extensions.Options;
using Registry.Contracts;
using Registry.Resolution;
using Registry.ServiceDefaults;

namespace Registry.Ingest.Resolution;

/// <summary>Resolves one chunk of accepted rows into the registry (see <see cref="ChunkResolver"/>).</summary>
public sealed class ResolveSourceRowsConsumer(ChunkResolver resolver) : IConsumer<ResolveSourceRows>
{
    public Task Consume(ConsumeContext<ResolveSourceRows> context) => resolver.ApplyAsync(context.Message, context.CancellationToken);
}

/// <summary>Queue name and concurrency of the resolution endpoint; a prefetch that covers the concurrent chunks.</summary>
public sealed class ResolveSourceRowsConsumerDefinition : ConsumerDefinition<ResolveSourceRowsConsumer>
{
    public ResolveSourceRowsConsumerDefinition(IOptions<BusOptions> options)
    {
        EndpointName = RegistryBus.ResolutionQueue(options.Value);
        ConcurrentMessageLimit = Math.Max(1, options.Value.ConcurrentChunks);
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ResolveSourceRowsConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = (ConcurrentMessageLimit ?? 1) * 2;
    }
}
