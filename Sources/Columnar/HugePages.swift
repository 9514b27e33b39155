#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for large buffers written whole at once (the detectors' scratch buffers, the
/// id dictionaries' tables). On Linux, a buffer of several megabytes asks the kernel for
/// transparent huge pages: each fresh 2 MB is then one page fault instead of 512, and a
/// scatter over many places of it (random probes of a hash table) misses the TLB less.
/// Memory from `allocate` is freed with `free`.
public enum HugePages {
    /// The size of a huge page.
    public static let bytes = 2 << 20

    /// Memory for `count` bytes, on huge pages when it spans two or more.
    public static func allocate(bytes count: Int) -> UnsafeMutableRawPointer {
        #if os(Linux)
        if count >= 2 * bytes {
            let rounded = (count + bytes - 1) / bytes * bytes
            let memory = aligned_alloc(bytes, rounded)!
            _ = madvise(memory, rounded, MADV_HUGEPAGE)
            return memory
        }
        #endif
        return malloc(count)!
    }

    /// Returns the whole 2 MB pages inside `buffer` to the kernel (their contents are lost:
    /// memory nothing reads again), so that the process's next page faults reuse them.
    /// Returns the address after the last page given back, nil when none was (off Linux
    /// nothing is given back, and the address is the same, so callers move on alike).
    public static func release(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let pages = wholePages(buffer.baseAddress, byteCount: buffer.count) else { return nil }
        #if os(Linux)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.lowerBound), pages.count, MADV_DONTNEED)
        #endif
        return pages.upperBound
    }

    /// Asks for huge pages under the whole 2 MB pages inside `buffer`, memory that is not
    /// written yet (an array's fresh storage, which `allocate` did not provide): its
    /// first writes then fault once per 2 MB instead of once per 4 KB.
    public static func advise<Element>(_ buffer: UnsafeMutableBufferPointer<Element>) {
        #if os(Linux)
        guard let pages = wholePages(buffer.baseAddress, byteCount: buffer.count * MemoryLayout<Element>.stride) else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.lowerBound), pages.count, MADV_HUGEPAGE)
        #endif
    }

    /// The addresses of the whole 2 MB pages inside the `byteCount` bytes at `base`, nil
    /// when there are none.
    private static func wholePages(_ base: UnsafeRawPointer?, byteCount: Int) -> Range<Int>? {
        guard let base else { return nil }
        let start = (Int(bitPattern: base) + bytes - 1) / bytes * bytes
        let end = (Int(bitPattern: base) + byteCount) / bytes * bytes
        return end > start ? start..<end : nil
    }
}
