import CHeap

/// glibc's heap set for the commands that allocate columns and buffers by the hundred
/// megabytes (loading an export, generating one): freed blocks reused, the heap reserved
/// ahead (with huge pages only when CREDITWATCH_HUGE_PAGES=1; `CHeap`). Set once, before the first such allocation; the other
/// commands (`--help`, `config`, the list store's) keep glibc's defaults.
enum BulkHeap {
    /// Sets the policy, the first time only.
    static func prepare() { _ = prepared }

    private static let prepared: Void = { _ = cw_heap_prefer_reuse_and_huge_pages(1 << 30) }()
}
