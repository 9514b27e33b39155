import Testing

@testable import Ingest

@Suite struct RatingNetworkTests {
    @Test func headerQuotesBlankLinesAndTimes() throws {
        let text = "source,target,rating,time\r\n\"a\",b,-1,2026-11-01T08:15:00Z\r\n\r\nc, d ,3.5,1289241911.9\n"
        let network = try RatingNetwork.parse(Array(text.utf8), name: "n.csv")
        #expect(network.edges.map(\.source) == ["a", "c"])
        #expect(network.edges.map(\.target) == ["b", "d"])
        #expect(network.edges.map(\.rating) == [-1, 3.5])
        #expect(network.edges.map(\.time) == [1_793_520_900, 1_289_241_911])
        #expect(network.edges.map(\.line) == [2, 4])
        #expect(network.observed == -1...3.5)
    }

    @Test func starsAreLinearOnTheScale() {
        let otc = -10.0...10.0
        #expect([-10.0, -6, -5, 0, 4, 5, 10].map { RatingNetwork.stars($0, scale: otc) } == [1, 2, 2, 3, 4, 4, 5])
        #expect((1...5).map { RatingNetwork.stars(Double($0), scale: 1...5) } == [1, 2, 3, 4, 5])
        #expect(RatingNetwork.stars(7, scale: 7...7) == 3)
    }

    @Test func errorsNameLineAndColumn() {
        #expect(throws: IngestError.self) { try RatingNetwork.parse(Array("1,2,3\n".utf8), name: "n.csv") }
        do {
            _ = try RatingNetwork.parse(Array("1,2,3,4\n,2,3,4\n".utf8), name: "n.csv")
            Issue.record("an empty source must be an error")
        } catch {
            #expect(error.description == "n.csv:2:1 (source): missing required value: \"\"")
        }
        do {
            _ = try RatingNetwork.parse(Array("1,2,3,4\n1,2,3,soon\n".utf8), name: "n.csv")
            Issue.record("a bad time must be an error")
        } catch {
            #expect(error.description == "n.csv:2:4 (time): not a time (ISO 8601 or Unix seconds): \"soon\"")
        }
    }

    @Test func idsWithCommasAreQuoted() {
        #expect(RatingNetwork.csvField("a,b") == "\"a,b\"")
        #expect(RatingNetwork.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(RatingNetwork.csvField("plain") == "plain")
    }
}
