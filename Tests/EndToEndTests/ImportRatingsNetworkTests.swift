import Foundation
import Testing
import TestSupport

/// `creditwatch import ratings-network` on a hand-made file in the Bitcoin OTC form
/// (no header, ratings -10..10, fractional Unix times), then a scan of the result.
@Suite struct ImportRatingsNetworkTests {
    static let sample = Fixtures.path("ratings-network/otc-sample.csv")

    @Test func writesAnExportThatScans() throws {
        let folder = try TemporaryDirectory()
        let export = folder.path("otc")
        let run = try CreditWatchProcess.run(["import", "ratings-network", Self.sample, "--out", export, "--scale", "-10:10"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("14 ratings"))
        let ratings = try String(contentsOfFile: export + "/ratings.csv", encoding: .utf8).split(separator: "\n")
        #expect(ratings[0] == "order_id,buyer_id,shop_id,item_id,stars,created_at,text_len,has_media")
        // 4 on -10..10: 1 + round(4 * 14 / 20) = 1 + round(2.8) = 4 stars; -10 is 1 star, 8 is 5.
        #expect(ratings[1] == ",6,2,,4,1289241911,,")
        #expect(ratings[14] == ",10,6,,1,1289394226,,")
        #expect(ratings[5] == ",13,16,,5,1289254254,,")
        let orders = try String(contentsOfFile: export + "/orders.csv", encoding: .utf8)
        #expect(orders == "order_id,buyer_id,shop_id,item_id,amount,created_at,status,ship_to\n")
        let scan = try CreditWatchProcess.run(["scan", export, "--store", folder.path("s.sqlite"), "--quiet"])
        #expect(scan.exitCode == 0, "\(scan.stderr)")
        #expect(scan.stdout.contains("14 ratings"))
    }

    @Test func observedScaleWhenNoneIsGiven() throws {
        let folder = try TemporaryDirectory()
        let run = try CreditWatchProcess.run(["import", "ratings-network", Self.sample, "--out", folder.path("otc")])
        #expect(run.exitCode == 0, "\(run.stderr)")
        // Observed -10..8: rating 8 is 5 stars, 4 is 1 + round(4 * 14 / 18) = 4.
        #expect(run.stdout.contains("scale -10.0:8.0"))
    }

    @Test func errorsNameFileLineAndColumn() throws {
        let folder = try TemporaryDirectory()
        let bad = folder.path("bad.csv")
        try "source,target,rating,time\n1,2,5,1289241911\n1,3,five,1289241911\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        let run = try CreditWatchProcess.run(["import", "ratings-network", bad, "--out", folder.path("x")])
        #expect(run.exitCode == 65)
        #expect(run.stderr.contains("bad.csv:3:3 (rating): not a number: \"five\""))
        let outside = try CreditWatchProcess.run(["import", "ratings-network", Self.sample, "--out", folder.path("y"), "--scale", "1:5"])
        #expect(outside.exitCode == 65)
        #expect(outside.stderr.contains("otc-sample.csv:4:3 (rating): outside the rating scale 1.0:5.0: \"7.0\""))
        let noScale = try CreditWatchProcess.run(["import", "ratings-network", Self.sample, "--out", folder.path("z"), "--scale", "5"])
        #expect(noScale.exitCode != 0)
        #expect(noScale.stderr.contains("MIN:MAX"))
    }
}
