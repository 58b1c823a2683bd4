using Registry.Storage;

namespace Registry.Tests.Storage;

/// <summary>Ids from the pooled generator are UUIDv7 as the runtime's: version, variant, time first, unique.</summary>
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
}
