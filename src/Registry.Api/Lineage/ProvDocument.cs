using System.Globalization;

namespace Registry.Api.Lineage;

/// <summary>
/// Renders a <see cref="LineageGraph"/> as W3C PROV-JSON: files (extracts, by SHA-256), source
/// records (rows), persons, households and service events are entities; each extract's
/// ingestion, each link decision and each merge, split or steward decision are activities;
/// agencies and deciders (the machine or a steward) are agents.
/// </summary>
public static class ProvDocument
{
    public static Dictionary<string, object> Build(LineageGraph graph, DateTime generatedAt)
    {
        var entity = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var activity = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var agent = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var derived = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var generated = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var used = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var attributed = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var associated = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var n = 0;
        string Rel() => "_:r" + (++n).ToString(CultureInfo.InvariantCulture);
        static string Date(DateTime d) => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

        foreach (var r in graph.Records)
        {
            var file = $"registry:file/{r.FileSha256}";
            var ingest = $"registry:ingest/{r.ExtractId}";
            var row = $"registry:source-record/{r.SourceRecordId}";
            var agency = $"registry:agency/{r.AgencyCode}";
            entity.TryAdd(file, new Dictionary<string, object?>
            {
                ["prov:type"] = "registry:Extract", ["registry:extractId"] = r.ExtractId, ["registry:fileName"] = r.FileName,
                ["registry:sha256"] = r.FileSha256, ["registry:feed"] = r.FeedCode, ["registry:receivedAt"] = Date(r.ReceivedAt),
            });
            activity.TryAdd(ingest, new Dictionary<string, object?> { ["prov:type"] = "registry:Ingestion", ["prov:startTime"] = Date(r.ReceivedAt) });
            agent.TryAdd(agency, new Dictionary<string, object?> { ["prov:type"] = "prov:Organization", ["registry:agencyCode"] = r.AgencyCode });
            attributed.TryAdd($"_:attr-{r.ExtractId}", new Dictionary<string, object> { ["prov:entity"] = file, ["prov:agent"] = agency });
            used.TryAdd($"_:used-{r.ExtractId}", new Dictionary<string, object> { ["prov:activity"] = ingest, ["prov:entity"] = file });
            entity[row] = new Dictionary<string, object?>
            {
                ["prov:type"] = "registry:SourceRecord", ["registry:rowNumber"] = r.RowNumber, ["registry:version"] = r.Version,
                ["registry:contentHash"] = r.ContentHash, ["registry:supersedes"] = r.Supersedes,
            };
            generated[Rel()] = new Dictionary<string, object> { ["prov:entity"] = row, ["prov:activity"] = ingest };
            derived[Rel()] = new Dictionary<string, object> { ["prov:generatedEntity"] = row, ["prov:usedEntity"] = file };

            var person = $"registry:person/{r.PersonId}";
            entity.TryAdd(person, new Dictionary<string, object?> { ["prov:type"] = "registry:Person" });
            if (r.Rule is not null)
            {
                var decision = $"registry:match-decision/{r.SourceRecordId}";
                var decider = $"registry:decider/{r.DecidedBy}";
                activity[decision] = new Dictionary<string, object?>
                {
                    ["prov:type"] = "registry:MatchDecision", ["registry:rule"] = r.Rule, ["registry:matchedKey"] = r.MatchedKey,
                    ["registry:modelVersion"] = r.ModelVersion, ["registry:createdPerson"] = r.CreatedPerson,
                    ["registry:score"] = r.Score, ["registry:linkThreshold"] = r.LinkThreshold, ["registry:reviewThreshold"] = r.ReviewThreshold,
                    ["registry:evidence"] = r.Evidence,
                    ["prov:endTime"] = r.DecidedAt is { } at ? Date(at) : null,
                };
                agent.TryAdd(decider, new Dictionary<string, object?>
                    { ["prov:type"] = r.DecidedBy == "machine" ? "prov:SoftwareAgent" : "prov:Person" });
                used[Rel()] = new Dictionary<string, object> { ["prov:activity"] = decision, ["prov:entity"] = row };
                associated[Rel()] = new Dictionary<string, object> { ["prov:activity"] = decision, ["prov:agent"] = decider };
                derived[Rel()] = new Dictionary<string, object> { ["prov:generatedEntity"] = person, ["prov:usedEntity"] = row, ["prov:activity"] = decision };
            }
        }
        foreach (var s in graph.Services)
        {
            var id = $"registry:service-event/{s.Id}";
            entity[id] = new Dictionary<string, object?>
            {
                ["prov:type"] = "registry:ServiceEvent", ["registry:agency"] = s.AgencyCode, ["registry:sector"] = s.Sector,
                ["registry:programme"] = s.Programme, ["registry:serviceType"] = s.ServiceType,
                ["registry:serviceDate"] = s.ServiceDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["registry:status"] = s.Status, ["registry:person"] = $"registry:person/{s.PersonId}",
                ["registry:supersededBy"] = s.SupersededBy is { } by ? $"registry:service-event/{by}" : null,
            };
            derived[Rel()] = new Dictionary<string, object> { ["prov:generatedEntity"] = id, ["prov:usedEntity"] = $"registry:source-record/{s.SourceRecordId}" };
        }
        foreach (var m in graph.Memberships)
        {
            var household = $"registry:household/{m.HouseholdId}";
            entity.TryAdd(household, new Dictionary<string, object?> { ["prov:type"] = "registry:Household" });
            derived[Rel()] = new Dictionary<string, object?>
            {
                ["prov:generatedEntity"] = household, ["prov:usedEntity"] = $"registry:source-record/{m.SourceRecordId}",
                ["registry:member"] = $"registry:person/{m.PersonId}", ["registry:relationship"] = m.Relationship,
                ["registry:validFrom"] = m.ValidFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["registry:validTo"] = m.ValidTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
        }

        // Merges, splits and steward decisions: append-only events, each an activity with its decider.
        foreach (var e in graph.IdentityEvents)
        {
            var id = $"registry:identity-event/{e.Id}";
            var decider = $"registry:decider/{e.DecidedBy}";
            activity[id] = new Dictionary<string, object?>
            {
                ["prov:type"] = "registry:IdentityEvent", ["registry:kind"] = e.Kind, ["registry:reason"] = e.Reason,
                ["registry:score"] = e.Score, ["registry:modelVersion"] = e.ModelVersion, ["registry:reviewTask"] = e.ReviewTaskId,
                ["registry:sourceRecords"] = e.SourceRecordIds.Select(r => $"registry:source-record/{r}").ToArray(),
                ["prov:endTime"] = Date(e.At),
            };
            agent.TryAdd(decider, new Dictionary<string, object?> { ["prov:type"] = e.DecidedBy == "machine" ? "prov:SoftwareAgent" : "prov:Person" });
            associated[Rel()] = new Dictionary<string, object> { ["prov:activity"] = id, ["prov:agent"] = decider };
            used[Rel()] = new Dictionary<string, object> { ["prov:activity"] = id, ["prov:entity"] = $"registry:person/{e.PersonId}" };
            if (e.OtherPersonId is { } other)
                used[Rel()] = new Dictionary<string, object> { ["prov:activity"] = id, ["prov:entity"] = $"registry:person/{other}" };
        }
        foreach (var e in graph.HouseholdEvents)
        {
            var id = $"registry:household-event/{e.Id}";
            var decider = $"registry:decider/{e.DecidedBy}";
            activity[id] = new Dictionary<string, object?>
            {
                ["prov:type"] = "registry:HouseholdEvent", ["registry:kind"] = e.Kind, ["registry:reason"] = e.Reason,
                ["registry:sharedMembers"] = e.SharedMembers.Select(m => $"registry:person/{m}").ToArray(), ["prov:endTime"] = Date(e.At),
            };
            agent.TryAdd(decider, new Dictionary<string, object?> { ["prov:type"] = e.DecidedBy == "machine" ? "prov:SoftwareAgent" : "prov:Person" });
            associated[Rel()] = new Dictionary<string, object> { ["prov:activity"] = id, ["prov:agent"] = decider };
            used[Rel()] = new Dictionary<string, object> { ["prov:activity"] = id, ["prov:entity"] = $"registry:household/{e.HouseholdId}" };
            used[Rel()] = new Dictionary<string, object> { ["prov:activity"] = id, ["prov:entity"] = $"registry:household/{e.OtherHouseholdId}" };
        }

        return new Dictionary<string, object>
        {
            ["prefix"] = new Dictionary<string, string> { ["registry"] = "urn:registry:", ["prov"] = "http://www.w3.org/ns/prov#" },
            ["registry:subject"] = $"registry:{graph.Kind}/{graph.Id}",
            ["registry:generatedAt"] = Date(generatedAt),
            ["entity"] = entity, ["activity"] = activity, ["agent"] = agent,
            ["wasDerivedFrom"] = derived, ["wasGeneratedBy"] = generated, ["used"] = used,
            ["wasAttributedTo"] = attributed, ["wasAssociatedWith"] = associated,
        };
    }
}
