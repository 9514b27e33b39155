import Columnar
import Evaluation
import Foundation
import Detection
import Testing

@Suite struct EvaluationReportTests {
    func shop(_ id: String, _ score: Double, _ list: ProposedList? = nil) -> ScoredEntity {
        ScoredEntity(kind: .shop, id: id, category: .fakeOrders, score: score, list: list)
    }

    func labels(_ ids: String...) -> Set<Label> {
        Set(ids.map { Label(kind: .shop, id: $0, category: .fakeOrders) })
    }

    @Test func countsAndRatesAtThreshold() throws {
        // Labels A, B, C. Predicted: A, D, B by score >= 0.5, E by its list; C never scored.
        let report = EvaluationReport(
            scored: [shop("A", 0.9), shop("D", 0.8), shop("B", 0.8), shop("E", 0.3, .keyScrutiny)],
            labels: labels("A", "B", "C"), threshold: 0.5)
        let row = try #require(report.rows.first)
        #expect(report.rows.count == 1)
        #expect((row.truePositives, row.falsePositives, row.falseNegatives, row.positives) == (2, 2, 1, 3))
        #expect(abs(row.precision - 0.5) < 1e-12)
        #expect(abs(row.recall - 2.0 / 3) < 1e-12)
        #expect(abs(row.f1 - 4.0 / 7) < 1e-12)
        // Groups by score: {A+} adds 1/3 at precision 1; {D-, B+} adds 1/3 at precision 2/3;
        // {E-} adds nothing; C (unscored) is never retrieved. AP = 1/3 + 2/9 = 5/9.
        #expect(abs(row.averagePrecision - 5.0 / 9) < 1e-12)
    }

    @Test func tiedScoresAreOneGroup() {
        // Without the tie rule the order of A and B would decide between 1 and 0.5.
        let forward = EvaluationReport(scored: [shop("A", 0.5), shop("B", 0.5)], labels: labels("A"), threshold: 0.9)
        let backward = EvaluationReport(scored: [shop("B", 0.5), shop("A", 0.5)], labels: labels("A"), threshold: 0.9)
        #expect(forward.rows[0].averagePrecision == 0.5)
        #expect(backward.rows[0].averagePrecision == 0.5)
    }

    @Test func zeroPositivesAndZeroPredictionsAreDefined() {
        let quiet = EvaluationReport(scored: [shop("X", 0.2)], labels: [], threshold: 0.5).rows[0]
        #expect((quiet.precision, quiet.recall, quiet.f1, quiet.averagePrecision) == (1, 1, 1, 0))
        let wrong = EvaluationReport(scored: [shop("X", 0.2, .blacklist)], labels: [], threshold: 0.5).rows[0]
        #expect((wrong.precision, wrong.recall, wrong.f1) == (0, 1, 0))
        let silent = EvaluationReport(scored: [], labels: labels("A"), threshold: 0.5).rows[0]
        #expect((silent.precision, silent.recall, silent.f1, silent.averagePrecision) == (1, 0, 0, 0))
        let nothing = EvaluationReport(scored: [shop("X", 0)], labels: [], threshold: 0.5).rows[0]
        #expect(nothing.averagePrecision == 1)
    }

    @Test func duplicateSuspectsKeepTheirHighestScore() {
        let report = EvaluationReport(scored: [shop("A", 0.1), shop("A", 0.7)], labels: labels("A"), threshold: 0.5)
        #expect(report.rows[0].truePositives == 1)
        #expect(report.rows[0].averagePrecision == 1)
    }

    @Test func rowsPerKindAndCategorySorted() {
        let report = EvaluationReport(
            scored: [
                ScoredEntity(kind: .courier, id: "ZT-1", category: .emptyParcels, score: 0.9),
                ScoredEntity(kind: .buyer, id: "u1", category: .maliciousRatings, score: 0.9),
                shop("A", 0.9),
            ],
            labels: [Label(kind: .buyer, id: "u2", category: .fakeOrders)], threshold: 0.5)
        #expect(report.rows.map { "\($0.kind.rawValue)/\($0.category.rawValue)" }
            == ["shop/fake_orders", "buyer/fake_orders", "buyer/malicious_ratings", "courier/empty_parcels"])
    }

    @Test func rendersAlignedTableAndRoundTripsJSON() throws {
        let report = EvaluationReport(
            scored: [shop("A", 0.9), ScoredEntity(kind: .courier, id: "ZT-1", category: .emptyParcels, score: 0.25)],
            labels: labels("A"), threshold: 0.5)
        let lines = report.table.split(separator: "\n").dropFirst()
        #expect(lines.count == 3)
        #expect(Set(lines.map(\.count)).count == 1)
        #expect(lines.first?.hasPrefix("kind") == true)
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: Data(try report.json().utf8))
        #expect(decoded == report)
    }
}
