using System.Numerics;
using System.Runtime.InteropServices;

namespace Registry.Matching;

/// <summary>
/// The candidate index's blocks: a blocking key's hash → the ordinals of the records filed under it,
/// in filing order. Only a block's first <c>stored</c> members are kept (a lookup never reads past
/// them); its count goes on. One open-addressed table of structs and one pool of ints, instead of
/// a dictionary entry and a list per block: a probe reads one cache line, and the garbage collector
/// walks two arrays instead of millions of lists (at 1M records the index held ~3M of them). Not
/// thread-safe: <see cref="CandidateIndex"/> calls it under its gate.
/// </summary>
internal sealed class BlockTable(int stored)
{
    private struct Slot
    {
        public ulong Key;
        // The one member's ordinal while Count is 1; then where the members start in the pool.
        public int Start;
        public int Count; // 0: an empty slot
    }

    private Slot[] slots = new Slot[1 << 16];
    private int[] pool = new int[1 << 16];
    private int poolEnd;

    /// <summary>Distinct keys filed.</summary>
    public int Blocks { get; private set; }

    /// <summary>Files <paramref name="ordinal"/> under <paramref name="key"/> (once per record and key: the caller's duty).</summary>
    /// <returns>Its position in the block, 0 for the first member.</returns>
    public int Add(ulong key, int ordinal)
    {
        if ((Blocks + 1) * 10L > slots.Length * 7L) Grow();
        ref var slot = ref Find(slots, key);
        if (slot.Count == 0)
        {
            slot = new Slot { Key = key, Start = ordinal, Count = 1 };
            Blocks++;
            return 0;
        }
        var position = slot.Count;
        if (position < stored)
        {
            if (position == 1)
            {
                var start = Reserve(2);
                pool[start] = slot.Start;
                slot.Start = start;
            }
            else if (position == Capacity(position))
            {
                var start = Reserve(Math.Min(position * 2, stored));
                Array.Copy(pool, slot.Start, pool, start, position);
                slot.Start = start;
            }
            pool[slot.Start + position] = ordinal;
        }
        slot.Count++;
        return position;
    }

    /// <summary>The block's first members (at most <c>stored</c>), oldest first; empty for an unknown key.</summary>
    public ReadOnlySpan<int> Members(ulong key) => Members(key, out _);

    /// <summary>As <see cref="Members(ulong)"/>; <paramref name="full"/> says the block holds more records than those.</summary>
    public ReadOnlySpan<int> Members(ulong key, out bool full)
    {
        ref var slot = ref Find(slots, key);
        full = slot.Count > stored;
        return slot.Count switch
        {
            0 => [],
            1 => MemoryMarshal.CreateReadOnlySpan(ref slot.Start, 1),
            _ => pool.AsSpan(slot.Start, Math.Min(slot.Count, stored)),
        };
    }

    /// <summary>The blocks of <paramref name="min"/> to <paramref name="max"/> members (max at most <c>stored</c>), copied.</summary>
    public List<int[]> BlocksOfSize(int min, int max)
    {
        var found = new List<int[]>();
        foreach (var slot in slots)
            if (slot.Count >= Math.Max(min, 2) && slot.Count <= Math.Min(max, stored))
                found.Add(pool.AsSpan(slot.Start, slot.Count).ToArray());
        return found;
    }

    // Room a block of `count` members has in the pool: powers of two from 2, at most `stored`.
    private int Capacity(int count) => Math.Min((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(count, 2)), stored);

    private int Reserve(int n)
    {
        if (poolEnd + n > pool.Length) Array.Resize(ref pool, Math.Max(pool.Length * 2, poolEnd + n));
        var start = poolEnd;
        poolEnd += n;
        return start;
    }

    // Linear probing from the hash's low bits (the keys are already mixed: MatchRecord.KeyHash).
    private static ref Slot Find(Slot[] table, ulong key)
    {
        var mask = table.Length - 1;
        var i = (int)key & mask;
        while (true)
        {
            ref var slot = ref table[i];
            if (slot.Count == 0 || slot.Key == key) return ref slot;
            i = (i + 1) & mask;
        }
    }

    private void Grow()
    {
        var larger = new Slot[slots.Length * 2];
        foreach (var slot in slots)
            if (slot.Count != 0) Find(larger, slot.Key) = slot;
        slots = larger;
    }
}
