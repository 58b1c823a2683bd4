using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Registry.Matching;

/// <summary>
/// The candidate index's blocks: a blocking key's hash → the ordinals of the records filed under it,
/// in filing order. Only a block's first <c>stored</c> members are kept (a lookup never reads past
/// them); its count goes on. One open-addressed table of 16-byte slots and one pool of ints, both in pages
/// (<see cref="PagedArray{T}"/>, long-addressed: nothing here overflows before the ordinals' own 2^31), instead of
/// a dictionary entry and a list per block: a probe reads one cache line, and the garbage collector
/// walks a few hundred pages instead of millions of lists.
/// <para>
/// Memory, the index's largest part: the table grows by half (not doubling) at 80 % full, so it stays 53–80 % full;
/// a block that outgrows its room in the pool moves to a larger one and leaves the old one on a free list of its size,
/// which the next block growing into that size takes — rooms grow by about half (2, 3, 4, 6, 8, 12 … up to
/// <c>stored</c>). Not thread-safe: <see cref="CandidateIndex"/> calls it under its gate.
/// </para>
/// </summary>
internal sealed class BlockTable
{
    private struct Slot
    {
        public ulong Key;
        // The one member's ordinal while Count is 1; then where the members start in the pool (48 bits).
        public uint StartLow;
        public ushort StartHigh;
        // Records filed, saturating: only "more than stored" matters past stored. 0: an empty slot.
        public ushort Count;

        public readonly long Start => StartLow | ((long)StartHigh << 32);

        public void SetStart(long start)
        {
            StartLow = (uint)start;
            StartHigh = (ushort)(start >> 32);
        }
    }

    private const double MaxLoad = 0.8;
    private readonly int stored;
    private readonly int[] rooms;
    // Per room size, the first free room of that size in the pool (-1: none); each free room's first two ints link to the next.
    private readonly long[] free;
    private PagedArray<Slot> slots;
    private long length;
    private readonly PagedArray<int> pool = new();

    public BlockTable(int stored)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stored, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stored, ushort.MaxValue - 1);
        this.stored = stored;
        rooms = Rooms(stored);
        free = [.. rooms.Select(_ => -1L)];
        length = PagedArray<Slot>.PageSize;
        slots = PagedArray<Slot>.OfLength(length);
    }

    /// <summary>Distinct keys filed.</summary>
    public long Blocks { get; private set; }

    /// <summary>Slots in the table (for the memory report).</summary>
    public long Slots => length;

    /// <summary>Ints the pool holds, rooms in use, free and unused page ends together.</summary>
    public long PoolInts => pool.Capacity;

    /// <summary>Bytes the table and the pool hold.</summary>
    public long Bytes => length * Unsafe.SizeOf<Slot>() + pool.Capacity * sizeof(int);

    /// <summary>The room sizes a block moves through: about half again each time, from 2 to <paramref name="stored"/>.</summary>
    internal static int[] Rooms(int stored)
    {
        var sizes = new List<int>();
        for (var size = 2; size < stored; size = Math.Max(size + 1, size * 3 / 2)) sizes.Add(size);
        sizes.Add(stored);
        return [.. sizes];
    }

    /// <summary>The table's next length when it holds <paramref name="length"/> slots: half again, in whole pages.</summary>
    internal static long GrownLength(long length) =>
        PagedArray<Slot>.PagesFor(length + length / 2) * PagedArray<Slot>.PageSize;

    /// <summary>Whether a table of <paramref name="length"/> slots holding <paramref name="blocks"/> keys must grow to take one more.</summary>
    internal static bool MustGrow(long blocks, long length) => blocks + 1 > length * MaxLoad;

    /// <summary>Files <paramref name="ordinal"/> under <paramref name="key"/> (once per record and key: the caller's duty).</summary>
    /// <returns>Its position in the block, 0 for the first member (saturating past <c>stored</c>).</returns>
    public int Add(ulong key, int ordinal)
    {
        if (MustGrow(Blocks, length)) Grow();
        ref var slot = ref Find(slots, length, key);
        if (slot.Count == 0)
        {
            slot = new Slot { Key = key, StartLow = (uint)ordinal, Count = 1 };
            Blocks++;
            return 0;
        }
        int position = slot.Count;
        if (position < stored)
        {
            if (position == 1)
            {
                var start = Take(0);
                pool[start] = (int)slot.StartLow;
                slot.SetStart(start);
            }
            else if (RoomOf(position) is var room && rooms[room] == position)
            {
                var start = Take(room + 1);
                pool.Slice(slot.Start, position).CopyTo(pool.Slice(start, position));
                Release(slot.Start, room);
                slot.SetStart(start);
            }
            pool[slot.Start + position] = ordinal;
        }
        if (slot.Count < ushort.MaxValue) slot.Count++;
        return position;
    }

    /// <summary>The block's first members (at most <c>stored</c>), oldest first; empty for an unknown key.</summary>
    public ReadOnlySpan<int> Members(ulong key) => Members(key, out _);

    /// <summary>As <see cref="Members(ulong)"/>; <paramref name="full"/> says the block holds more records than those.</summary>
    public ReadOnlySpan<int> Members(ulong key, out bool full)
    {
        ref var slot = ref Find(slots, length, key);
        full = slot.Count > stored;
        return slot.Count switch
        {
            0 => [],
            1 => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<uint, int>(ref slot.StartLow), 1),
            _ => pool.Slice(slot.Start, Math.Min((int)slot.Count, stored)),
        };
    }

    /// <summary>The blocks of <paramref name="min"/> to <paramref name="max"/> members (max at most <c>stored</c>), copied.</summary>
    public List<int[]> BlocksOfSize(int min, int max)
    {
        var found = new List<int[]>();
        for (long i = 0; i < length; i++)
        {
            var slot = slots[i];
            if (slot.Count >= Math.Max(min, 2) && slot.Count <= Math.Min(max, stored))
                found.Add(pool.Slice(slot.Start, slot.Count).ToArray());
        }
        return found;
    }

    // The smallest room that holds `count` members.
    private int RoomOf(int count)
    {
        var room = 0;
        while (rooms[room] < count) room++;
        return room;
    }

    // A free room of size rooms[room]: one left by a block that outgrew it, else new, within one page of the pool.
    private long Take(int room)
    {
        var size = rooms[room];
        if (free[room] >= 0)
        {
            var start = free[room];
            free[room] = (uint)pool[start] | ((long)pool[start + 1] << 32);
            return start;
        }
        if (PagedArray<int>.LeftInPage(pool.Count) < size) pool.Reserve(PagedArray<int>.LeftInPage(pool.Count));
        return pool.Reserve(size);
    }

    private void Release(long start, int room)
    {
        pool[start] = (int)free[room];
        pool[start + 1] = (int)(free[room] >> 32);
        free[room] = start;
    }

    // Linear probing from the key's place in the table: its hash scaled to the length (the keys are already mixed:
    // MatchRecord.KeyHash), so the length need not be a power of two and the table can grow by half.
    private static ref Slot Find(PagedArray<Slot> table, long length, ulong key)
    {
        var i = (long)Math.BigMul(key, (ulong)length, out _);
        while (true)
        {
            ref var slot = ref table[i];
            if (slot.Count == 0 || slot.Key == key) return ref slot;
            if (++i == length) i = 0;
        }
    }

    private void Grow()
    {
        var grown = GrownLength(length);
        var larger = PagedArray<Slot>.OfLength(grown);
        for (long i = 0; i < length; i++)
        {
            var slot = slots[i];
            if (slot.Count != 0) Find(larger, grown, slot.Key) = slot;
        }
        slots = larger;
        length = grown;
    }
}
