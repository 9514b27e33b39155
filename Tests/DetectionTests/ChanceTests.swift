import Foundation
import Testing

@testable import Detection

/// The tails and the bound of `Chance` against plain references: the tails summed term
/// by term in linear space, the Wilson bound found by bisection on its defining equation.
@Suite struct ChanceTests {
    /// Plain reference of `-log10 P(X >= count)` for a beta-binomial (correlation 0:
    /// binomial) by summing the upper tail's probabilities one by one.
    static func betaBinomialReference(count: Int, trials: Int, share: Double, correlation: Double) -> Double {
        guard Double(count) > share * Double(trials) else { return 0 }
        func logChoose(_ n: Int, _ k: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) }
        func logBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }
        var tail = 0.0
        for k in count...trials {
            if correlation == 0 {
                tail += exp(logChoose(trials, k) + Double(k) * log(share) + Double(trials - k) * log(1 - share))
            } else {
                let alpha = share * (1 - correlation) / correlation, beta = (1 - share) * (1 - correlation) / correlation
                tail += exp(logChoose(trials, k) + logBeta(Double(k) + alpha, Double(trials - k) + beta) - logBeta(alpha, beta))
            }
        }
        return -log10(tail)
    }

    @Test func betaBinomialSurpriseMatchesTheDirectSum() {
        for correlation in [0, 0.01, 0.2] {
            for (trials, share) in [(10, 0.2), (40, 0.05), (120, 0.3)] {
                for count in 0...trials {
                    let expected = Self.betaBinomialReference(count: count, trials: trials, share: share, correlation: correlation)
                    guard expected < 12 else { continue }  // the direct sum loses precision further out
                    let value = Chance.betaBinomialSurprise(count: count, trials: trials, share: share, correlation: correlation)
                    #expect(abs(value - expected) < 1e-6 * max(1, expected), "\(count) of \(trials) at \(share), rho \(correlation)")
                }
            }
        }
        // Far in the tail the direct sum underflows; the log-space tail keeps going.
        #expect(Chance.betaBinomialSurprise(count: 400, trials: 400, share: 0.2, correlation: 0) > 250)
        // Over-dispersion widens the null: the same count is less surprising.
        #expect(
            Chance.betaBinomialSurprise(count: 30, trials: 60, share: 0.2, correlation: 0.05)
                < Chance.betaBinomialSurprise(count: 30, trials: 60, share: 0.2, correlation: 0))
    }

    /// Plain reference of `-log10 P(X >= count)` for a Poisson by summing the head of the
    /// distribution.
    static func poissonReference(count: Int, mean: Double) -> Double {
        guard Double(count) > mean else { return 0 }
        var head = 0.0, term = exp(-mean)
        for k in 0..<count {
            head += term
            term *= mean / Double(k + 1)
        }
        return -log10(1 - head)
    }

    @Test func poissonSurpriseMatchesTheDirectSum() {
        for mean in [0.05, 0.3, 1, 2.5, 7] {
            for count in 0..<14 {
                let expected = Self.poissonReference(count: count, mean: mean)
                guard expected < 8 else { continue }  // the direct sum loses precision further out
                let value = Chance.poissonSurprise(count: count, mean: mean)
                #expect(abs(value - expected) < 1e-6 * max(1, expected), "count \(count), mean \(mean)")
            }
        }
        // Far in the tail the direct sum cancels to 0; the log-space tail keeps going.
        #expect(Chance.poissonSurprise(count: 60, mean: 0.5) > 80)
        #expect(Chance.poissonSurprise(count: 3, mean: 4) == 0)
    }

    /// Plain reference of the Wilson lower bound: the share `p` at most `share` whose
    /// score `(share - p) / sqrt(p(1 - p) / rows)` is `z`, found by bisection (the score
    /// falls as `p` rises to `share`).
    static func wilsonReference(_ share: Double, rows: Int, z: Double) -> Double {
        guard z > 0, share > 0 else { return share }
        func score(_ p: Double) -> Double { (share - p) / (p * (1 - p) / Double(rows)).squareRoot() }
        var low = 0.0, high = share
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if score(middle) > z { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    @Test func shareLowerBoundMatchesTheScoreEquation() {
        for rows in [1, 3, 8, 20, 100, 400, 10_000] {
            for z in [0, 1, 1.64, 2.58] {
                for hits in Set([0, 1, rows / 3, rows / 2, rows - 1, rows]) {
                    let share = Double(hits) / Double(rows)
                    let expected = Self.wilsonReference(share, rows: rows, z: z)
                    let value = Chance.shareLowerBound(share, rows: rows, z: z)
                    #expect(abs(value - expected) < 1e-9, "\(hits) of \(rows), z \(z)")
                }
            }
        }
        // One fast confirmation among eight orders keeps little of its 0.125; more rows
        // at the same share keep more.
        #expect(abs(Chance.shareLowerBound(0.125, rows: 8, z: 1.64) - 0.0285) < 0.0005)
        #expect(Chance.shareLowerBound(0.2, rows: 400, z: 1.64) > Chance.shareLowerBound(0.2, rows: 20, z: 1.64))
    }
}
