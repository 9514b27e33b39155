import Columnar

/// REV2 (Kumar et al., WSDM 2018) over the rater x shop rating graph: a rater is fair
/// when its ratings agree with the shops' goodness, a shop is good when fair raters
/// rate it well, and a rating is reliable when its rater is fair and it agrees with the
/// shop's goodness. Attackers rate good shops low again and again, so their fairness
/// sinks; the 1-star ratings of a genuinely bad shop agree with its (low) goodness, so
/// its real customers stay fair. The consensus is that of verified buyers: a rating
/// backed by a real purchase weighs fully in a shop's goodness, one without (no own
/// order, or a trivially cheap one) weighs `unverified_goodness_weight`, so an attack
/// cannot drag its victim's goodness down to meet its own ratings. Without orders (a
/// bare rating network) every rating weighs the same: plain REV2.
public struct RaterFairnessDetector: SharingDetector {
    public init() {}

    public var name: String { "rater fairness" }

    public var parameters: [Parameter] {
        [
            Parameter("malicious_ratings.fairness_prior_weight", 1, "ratings' worth of prior fairness 1 every rater starts with"),
            Parameter("malicious_ratings.goodness_prior_weight", 1, "ratings' worth of prior goodness 0 every shop starts with"),
            Parameter("malicious_ratings.fairness_tolerance", 1e-4, "the iteration stops when no fairness or goodness moves more than this"),
            Parameter("malicious_ratings.fairness_max_iterations", 50, "the iteration stops after this many rounds"),
            Parameter("malicious_ratings.unverified_goodness_weight", 0.25, "weight in a shop's goodness of a rating without a real purchase behind it (a verified one weighs 1)"),
        ] + RatingFacts.parameters
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "rater_unfairness", entityKind: .buyer, category: .maliciousRatings,
                description: "1 - REV2 fairness: how far the rater's low ratings deviate from the consensus of fair raters, again and again",
                threshold: 0.3, saturation: 0.5, weight: 0.35),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let ratings = export.ratings
        let facts = memo.facts(config: config)
        let unverified = config["malicious_ratings.unverified_goodness_weight"]
        let weights = facts.hasOrders
            ? memo.purchases(config: config, threads: threads).backing.map { $0 == .genuine ? 1 : unverified }
            : [Double](repeating: 1, count: ratings.count)
        let graph = RatingGraph(
            raters: ratings.buyer, shops: ratings.shop, scores: ratings.stars.map { (Double($0) - 3) / 2 },
            weights: weights, entityCount: export.dictionaries.accounts.count)
        let result = graph.fairness(
            fairnessPrior: config["malicious_ratings.fairness_prior_weight"],
            goodnessPrior: config["malicious_ratings.goodness_prior_weight"],
            tolerance: config["malicious_ratings.fairness_tolerance"],
            maximumIterations: Int(config["malicious_ratings.fairness_max_iterations"]), threads: threads)
        // Only raters who posted low ratings are candidates: this category is about
        // lowering credit, and a rater whose only deviation is praise is not an attacker.
        let values = (0..<facts.lowByRater.entityCount).map { rater in
            facts.lowByRater.count(of: rater) == 0 ? .nan : 1 - result.fairness[rater]
        }
        let unreliable = result.reliability.map { $0 < 0.5 }
        return DetectorOutput(signals: [
            facts.raterColumn(signal("rater_unfairness", config), values: values, flagged: { unreliable[$0] }, export: export)
        ])
    }
}

/// The rating graph as columnar edge arrays (one edge per rating, score in [-1, 1],
/// weight in goodness), grouped by rater and by shop so that each iteration is two
/// passes over the edges.
struct RatingGraph: Sendable {
    let raters: Column<UInt32>
    let shops: Column<UInt32>
    let scores: [Double]
    let weights: [Double]
    let byRater: EntityGroups
    let byShop: EntityGroups

    /// `weights` (default all 1) weigh each edge in its shop's goodness.
    init(raters: Column<UInt32>, shops: Column<UInt32>, scores: [Double], weights: [Double]? = nil, entityCount: Int) {
        self.raters = raters
        self.shops = shops
        self.scores = scores
        self.weights = weights ?? [Double](repeating: 1, count: scores.count)
        byRater = EntityGroups(keys: raters, entityCount: entityCount)
        byShop = EntityGroups(keys: shops, entityCount: entityCount)
    }

    /// The REV2 fixed point, without its BirdNest prior terms:
    /// - goodness `g(p) = Σ w(e) R(e) s(e) / (β + Σ w(e))` over the edges into shop `p`
    ///   (REV2's `Σ R(e) s(e) / (β + in(p))` when every weight is 1);
    /// - reliability `R(e) = (F(u) + 1 - |s(e) - g(p)| / 2) / 2` for edge `e = (u, p)`;
    /// - fairness `F(u) = (α + Σ R(e)) / (α + out(u))` over the edges out of rater `u`.
    /// Starting from F = R = 1, rounds update g, then R, then F until no F or g moves
    /// more than `tolerance`. Every sum runs over one entity's edges in row order on
    /// one core, so the result is the same for any `threads`.
    func fairness(
        fairnessPrior alpha: Double, goodnessPrior beta: Double, tolerance: Double, maximumIterations: Int, threads: Int
    ) -> (fairness: [Double], goodness: [Double], reliability: [Double], iterations: Int) {
        let entityCount = byRater.entityCount
        var fairness = [Double](repeating: 1, count: entityCount)
        var goodness = [Double](repeating: 0, count: entityCount)
        var reliability = [Double](repeating: 1, count: scores.count)
        var iterations = 0
        while iterations < maximumIterations {
            iterations += 1
            let newGoodness = Self.perEntity(byShop, threads: threads) { [reliability, scores, weights] rows in
                var sum = 0.0, weight = 0.0
                for row in rows {
                    sum += weights[Int(row)] * reliability[Int(row)] * scores[Int(row)]
                    weight += weights[Int(row)]
                }
                return rows.isEmpty ? 0 : sum / (beta + weight)
            }
            reliability = (0..<scores.count).map { row in
                (fairness[Int(raters[row])] + 1 - abs(scores[row] - newGoodness[Int(shops[row])]) / 2) / 2
            }
            let newFairness = Self.perEntity(byRater, threads: threads) { [reliability] rows in
                var sum = 0.0
                for row in rows { sum += reliability[Int(row)] }
                return rows.isEmpty ? 1 : (alpha + sum) / (alpha + Double(rows.count))
            }
            var change = 0.0
            for entity in 0..<entityCount {
                change = max(change, abs(newFairness[entity] - fairness[entity]), abs(newGoodness[entity] - goodness[entity]))
            }
            fairness = newFairness
            goodness = newGoodness
            if change <= tolerance { break }
        }
        return (fairness, goodness, reliability, iterations)
    }

    /// `value` of each entity's rows, computed on up to `threads` cores.
    static func perEntity(
        _ groups: EntityGroups, threads: Int, _ value: @Sendable (ArraySlice<UInt32>) -> Double
    ) -> [Double] {
        ParallelRows.map(count: groups.entityCount, threads: threads) { range in
            range.map { value(groups.rows(of: $0)) }
        }.flatMap { $0 }
    }
}
