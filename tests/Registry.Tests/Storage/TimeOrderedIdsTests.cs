using Registry.Storage;

namespace Registry.Tests.Storage;

/// <summary>Ids from the pooled generator are UUIDv7 as the runtime's: version, variant, time first, unique, increasing.</summary>
public sealed class TimeOrderedIdsTests
{
    [Fact]
    public void Ids_are_version_7_start_with_the_time_and_do_not_repeat()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var ids = Enumerable.Range(0, 5000).Select(_ => TimeOrderedIds.Next()).ToList(); // several refills of the pool
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(0b10, id.Variant >> 2));
        Assert.All(ids, id =>
        {
            var text = id.ToString("N");
            var ms = Convert.ToInt64(text[..12], 16);
            Assert.InRange(ms, before, after);
        });
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Ordered as the runtime orders them, by time first: a later millisecond sorts after.
        var later = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.All(ids, id => Assert.True(id.CompareTo(later) < 0));
    }

    [Fact]
    public async Task Ids_increase_in_the_order_they_are_made_also_within_a_millisecond_and_across_threads()
    {
        var ids = Enumerable.Range(0, 20_000).Select(_ => TimeOrderedIds.Next()).ToList();
        for (var i = 1; i < ids.Count; i++) Assert.True(ids[i - 1].CompareTo(ids[i]) < 0, $"id {i} sorts before id {i - 1}");
        // As PostgreSQL orders uuid (bytes, big-endian): the database orders them the same way.
        for (var i = 1; i < ids.Count; i++)
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString("N"), ids[i].ToString("N")) < 0);

        var threads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 5000).Select(_ => TimeOrderedIds.Next()).ToList())));
        Assert.Equal(20_000, threads.SelectMany(t => t).Distinct().Count());
        Assert.All(threads, list => Assert.True(list.SequenceEqual(list.Order())));
        var after = TimeOrderedIds.Next();
        Assert.All(threads.SelectMany(t => t), id => Assert.True(id.CompareTo(after) < 0));
    }
}
