extension Array {
    /// Appends `count` copies of `value`; when they do not fit, first reserves `growth`
    /// times the capacity (at least what they need, and 4096 elements). A column extended
    /// a little at a time thus copies its elements a few times, not once per extension:
    /// `reserveCapacity` alone grows to exactly what is asked. Each caller picks its
    /// factor: capacity is not memory until written, while each growth copies the
    /// elements so far into fresh pages.
    @inlinable
    public mutating func append(_ count: Int, copiesOf value: Element, growth: Int) {
        if self.count + count > capacity { reserveCapacity(Swift.max(self.count + count, growth * capacity, 4096)) }
        append(contentsOf: repeatElement(value, count: count))
    }
}
