extension RandomAccessCollection {
    /// The first index of `bounds` (the whole collection when nil) whose element is not
    /// below, for a collection ascending there by `isBelow`: every element below comes
    /// before every element not below. `bounds.upperBound` when all are below. Binary
    /// search, so that a sorted column (keys, row offsets, partition starts) answers "where
    /// does this key's run start" in log time, written once for every column that asks.
    @inlinable
    public func lowerBound(in bounds: Range<Index>? = nil, isBelow: (Element) throws -> Bool) rethrows -> Index {
        var low = bounds?.lowerBound ?? startIndex
        var count = distance(from: low, to: bounds?.upperBound ?? endIndex)
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if try isBelow(self[middle]) {
                low = index(after: middle)
                count -= half + 1
            } else {
                count = half
            }
        }
        return low
    }
}

extension RandomAccessCollection where Element: Comparable {
    /// The first index of `bounds` (the whole collection when nil) whose element is not
    /// below `key`, in a collection ascending there (`lowerBound(in:isBelow:)`).
    @inlinable
    public func lowerBound(of key: Element, in bounds: Range<Index>? = nil) -> Index {
        lowerBound(in: bounds) { $0 < key }
    }
}
