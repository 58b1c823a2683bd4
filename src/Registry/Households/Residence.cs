using Npgsql;
using Registry.Review;
using Registry.Storage;

namespace Registry.Households;

/// <summary>
/// A steward's word on where people live: the counted residence claim that outranks any agency's
/// (until a newer counted one arrives). A decision about a household is one about each of its
/// current members. The database writes the claim, the residence, the territory event (who, why)
/// and the territories that follow, in this transaction (registry_decide_residence).
/// Runs under the resolution lock, like every other writer of territories.
/// </summary>
public sealed class Residence(NpgsqlDataSource dataSource)
{
    public const int MaxMunicipalityLength = 100;

    /// <returns>Whether the person's residence changed (false: it was already there; the decision is still recorded).</returns>
    public async Task<bool> DecidePersonAsync(Guid person, string municipality, string steward, string reason, CancellationToken ct)
    {
        Require(steward, municipality, reason);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);
        await using (var check = new NpgsqlCommand("SELECT merged_into FROM persons WHERE id = @id", connection, tx))
        {
            check.Parameters.AddWithValue("id", person);
            var result = await check.ExecuteScalarAsync(ct);
            if (result is null) throw new KeyNotFoundException($"Person {person} does not exist.");
            if (result is Guid survivor) throw new StewardshipException($"Person {person} was merged into {survivor}; act on that person.");
        }
        var changed = await DecideAsync(connection, tx, [person], municipality, steward, reason, ct);
        await tx.CommitAsync(ct);
        return changed > 0;
    }

    /// <returns>How many current members' residence changed.</returns>
    public async Task<int> DecideHouseholdAsync(Guid household, string municipality, string steward, string reason, CancellationToken ct)
    {
        Require(steward, municipality, reason);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ResolutionLock.TakeAsync(connection, tx, ct);
        await using (var check = new NpgsqlCommand("SELECT merged_into FROM households WHERE id = @id", connection, tx))
        {
            check.Parameters.AddWithValue("id", household);
            var result = await check.ExecuteScalarAsync(ct);
            if (result is null) throw new KeyNotFoundException($"Household {household} does not exist.");
            if (result is Guid survivor) throw new StewardshipException($"Household {household} was merged into {survivor}; act on that household.");
        }
        var members = new List<Guid>();
        await using (var read = new NpgsqlCommand(
            "SELECT person_id FROM household_members WHERE household_id = @id AND valid_to IS NULL ORDER BY person_id", connection, tx))
        {
            read.Parameters.AddWithValue("id", household);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) members.Add(reader.GetGuid(0));
        }
        if (members.Count == 0) throw new StewardshipException($"Household {household} has no current members; decide the residence of a person instead.");
        var changed = await DecideAsync(connection, tx, members, municipality, steward, reason, ct);
        await tx.CommitAsync(ct);
        return changed;
    }

    private static async Task<int> DecideAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<Guid> persons, string municipality,
        string steward, string reason, CancellationToken ct)
    {
        var changed = 0;
        foreach (var person in persons)
        {
            await using var command = new NpgsqlCommand("SELECT registry_decide_residence(@person, @municipality, @steward, @reason)", connection, tx);
            command.Parameters.AddWithValue("person", person);
            command.Parameters.AddWithValue("municipality", municipality.Trim());
            command.Parameters.AddWithValue("steward", steward);
            command.Parameters.AddWithValue("reason", reason.Trim());
            if (await command.ExecuteScalarAsync(ct) is true) changed++;
        }
        return changed;
    }

    private static void Require(string steward, string municipality, string reason)
    {
        if (string.IsNullOrWhiteSpace(steward)) throw new ArgumentException("The steward's identity is required.");
        if (string.IsNullOrWhiteSpace(municipality)) throw new ArgumentException("municipality is required: the municipality where they live now.");
        if (municipality.Trim().Length > MaxMunicipalityLength) throw new ArgumentException($"municipality is at most {MaxMunicipalityLength} characters.");
        if (!municipality.Any(char.IsLetter)) throw new ArgumentException("municipality must name a municipality (letters).");
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("A reason is required: auditors read it.");
        if (reason.Length > 2000) throw new ArgumentException("The reason is longer than 2000 characters.");
    }
}
