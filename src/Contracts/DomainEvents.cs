namespace Registry.Contracts;

// Events: what happened in the registry, published on RabbitMQ after the transaction that did it
// committed (transactional outbox: the database's triggers write them in that transaction, the workers'
// OutboxRelay publishes them). Each message's MessageId is its idempotency key: a relay that crashed
// between publishing and marking publishes the same event again with the same MessageId, so a
// subscriber applies an event once by remembering the ids it applied. Ids only, no personal data;
// a service of a sensitive sector (health, security) names neither its agency nor its programme.
// External systems bind a queue of their own to the exchange named after the event type
// (MassTransit's convention), e.g. "Registry.Contracts:ExtractResolved" (docs/events.md).

/// <summary>An extract's every accepted row is in the registry.</summary>
public sealed record ExtractResolved(Guid ExtractId, string FeedCode, string AgencyCode, string Sector,
    int RowsTotal, int RowsAccepted, int RowsRejected, DateTimeOffset ResolvedAt);

/// <summary>Persons the registry did not know, created by one resolution step (one chunk).</summary>
public sealed record PersonsCreated(IReadOnlyList<Guid> PersonIds);

/// <summary>Two persons are one: <paramref name="MergedId"/> now redirects to <paramref name="SurvivorId"/> (by the resolver or a steward).</summary>
public sealed record PersonsMerged(Guid SurvivorId, Guid MergedId, bool ByMachine, DateTimeOffset At);

/// <summary>A steward moved <paramref name="SourceRecordIds"/> of <paramref name="PersonId"/> to a new person.</summary>
public sealed record PersonSplit(Guid PersonId, Guid NewPersonId, IReadOnlyList<Guid> SourceRecordIds, DateTimeOffset At);

/// <summary>Persons who joined or left households in one step.</summary>
public sealed record HouseholdMembershipChanged(IReadOnlyList<MembershipChange> Changes);

/// <param name="Change"><c>joined</c> or <c>left</c>.</param>
public sealed record MembershipChange(Guid HouseholdId, Guid PersonId, string Change);

/// <summary>Services delivered to persons, recorded by one resolution step.</summary>
public sealed record ServicesRecorded(IReadOnlyList<RecordedService> Services);

/// <param name="AgencyCode">null for a sensitive sector (health, security)</param>
public sealed record RecordedService(Guid ServiceEventId, Guid PersonId, string Sector, string? AgencyCode, DateOnly? ServiceDate);
