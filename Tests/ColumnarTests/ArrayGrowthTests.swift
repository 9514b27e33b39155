import Columnar
import Testing

/// `append(_:copiesOf:growth:)`: the copies land after the elements, capacity stays while
/// they fit and grows by the factor when they do not.
@Suite struct ArrayGrowthTests {
    @Test(arguments: [2, 8]) func growsByItsFactorOnlyWhenFull(growth: Int) {
        var column = [Int64](repeating: 5, count: 3)
        column.append(2, copiesOf: .max, growth: growth)
        #expect(column == [5, 5, 5, .max, .max])
        #expect(column.capacity >= 4096)
        let full = column.capacity
        column.append(full - column.count, copiesOf: 1, growth: growth)
        #expect(column.capacity == full)
        column.append(1, copiesOf: 2, growth: growth)
        #expect(column.capacity >= growth * full)
        #expect(column.count == full + 1 && column.last == 2 && column[full - 1] == 1 && column[4] == .max)
    }

    @Test func aLargeAppendGetsAtLeastWhatItNeeds() {
        var column: [UInt8] = []
        column.append(10_000, copiesOf: 3, growth: 2)
        #expect(column.count == 10_000 && column.allSatisfy { $0 == 3 })
    }
}
