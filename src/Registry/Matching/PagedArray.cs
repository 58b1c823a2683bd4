using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Registry.Matching;

/// <summary>
/// A growable array of structs addressed by a <see cref="long"/>, kept in fixed pages of <see cref="PageSize"/>
/// elements. The candidate index's tables live in these instead of arrays or lists: an int-indexed array that grows
/// by doubling stops near 2^30 elements (its next size passes <see cref="Array.MaxLength"/>), which the block pool
/// (about ten ints a record) reaches near 10^8 records; and a doubling array briefly holds its old and new copies,
/// up to three times its contents, in the large-object heap. Pages are added one at a time and never copied.
/// Not thread-safe.
/// </summary>
internal sealed class PagedArray<T> where T : struct
{
    /// <summary>Elements a page holds: 2^16 (a 16-byte struct's page is 1 MB).</summary>
    public const int PageBits = 16;
    public const int PageSize = 1 << PageBits;
    private const int PageMask = PageSize - 1;

    private T[][] pages = [];
    private int pageCount;

    /// <summary>Elements added (or reserved) so far.</summary>
    public long Count { get; private set; }

    /// <summary>Room for <paramref name="elements"/> without growing.</summary>
    public long Capacity => (long)pageCount << PageBits;

    /// <summary>Pages holding <paramref name="elements"/>: whole pages, no overflow for any non-negative count.</summary>
    public static long PagesFor(long elements) => (elements + PageMask) >> PageBits;

    /// <summary>
    /// The element at <paramref name="index"/>, which must be below <see cref="Capacity"/>: the hash tables probe here
    /// several times a key, so the two bounds checks of a jagged array are left out (checked in debug builds).
    /// </summary>
    public ref T this[long index]
    {
        get
        {
            System.Diagnostics.Debug.Assert((ulong)index < (ulong)Capacity);
            var page = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pages), (nint)(index >> PageBits));
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(page), (nint)(index & PageMask));
        }
    }

    /// <summary>A new table of <paramref name="length"/> default elements (a hash table's slots).</summary>
    public static PagedArray<T> OfLength(long length)
    {
        var array = new PagedArray<T>();
        array.Reserve(length);
        return array;
    }

    public long Add(T value)
    {
        var at = Reserve(1);
        this[at] = value;
        return at;
    }

    /// <summary>Extends the array by <paramref name="n"/> default elements; returns the first one's index.</summary>
    public long Reserve(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var start = Count;
        var needed = PagesFor(start + n);
        if (needed > pageCount)
        {
            if (needed > pages.Length) Array.Resize(ref pages, (int)Math.Min(Math.Max(needed, pages.Length * 2L), Array.MaxLength));
            while (pageCount < needed) pages[pageCount++] = new T[PageSize];
        }
        Count = start + n;
        return start;
    }

    /// <summary>The <paramref name="length"/> elements from <paramref name="start"/>, which must lie in one page.</summary>
    public Span<T> Slice(long start, int length) => pages[start >> PageBits].AsSpan((int)(start & PageMask), length);

    /// <summary>Elements left in the page that <paramref name="index"/> falls in, from it on.</summary>
    public static int LeftInPage(long index) => PageSize - (int)(index & PageMask);
}
