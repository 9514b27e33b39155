import Testing

@testable import Detection

/// How a finding's title says its counts.
@Suite struct FindingTests {
    @Test func countsAreSingularForOneOnly() {
        #expect(Finding.counted(1, "shop") == "1 shop")
        #expect(Finding.counted(0, "day") == "0 days")
        #expect(Finding.counted(14, "low rating") == "14 low ratings")
    }
}
