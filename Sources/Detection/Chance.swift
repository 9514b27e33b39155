import Foundation

/// How likely honest trade makes what a signal counts: the tails and the confidence
/// bound the detectors' signals are built on, each written once. A surprise is
/// `-log10` of a tail probability, summed from its first term in log space so that it
/// stays exact where the probability underflows a `Double` (capped at 300).
enum Chance {
    /// `-log10 P(X >= count)` for `X` beta-binomial with `trials`, mean share `share` and
    /// intra-class `correlation` (0: binomial); 0 when `count` is not above the mean.
    static func betaBinomialSurprise(count: Int, trials: Int, share: Double, correlation: Double) -> Double {
        guard Double(count) > share * Double(trials), count > 0 else { return 0 }
        guard share > 0 else { return 300 }
        guard share < 1 else { return 0 }
        let n = Double(trials), k = Double(count)
        let logChoose = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
        let logFirst: Double
        // Term i + 1 over term i: (n - i) / (i + 1) times the odds of one more success.
        let odds: (Int) -> Double
        if correlation > 0 {
            let alpha = share * (1 - correlation) / correlation, beta = (1 - share) * (1 - correlation) / correlation
            func logBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }
            logFirst = logChoose + logBeta(k + alpha, n - k + beta) - logBeta(alpha, beta)
            odds = { i in (Double(i) + alpha) / (n - Double(i) - 1 + beta) }
        } else {
            logFirst = logChoose + k * log(share) + (n - k) * log(1 - share)
            odds = { _ in share / (1 - share) }
        }
        var term = 1.0, sum = 0.0, i = count
        while i <= trials && (term > 1e-17 * sum || sum == 0) {
            sum += term
            term *= Double(trials - i) / Double(i + 1) * odds(i)
            i += 1
        }
        return min(300, -(logFirst + log(sum)) / M_LN10)
    }

    /// `-log10 P(X >= count)` for `X` Poisson with `mean`; 0 when `count <= mean`.
    static func poissonSurprise(count: Int, mean: Double) -> Double {
        guard Double(count) > mean, count > 0 else { return 0 }
        guard mean > 0 else { return 300 }
        let logFirst = -mean + Double(count) * log(mean) - lgamma(Double(count) + 1)
        var term = 1.0, sum = 0.0, k = count
        while term > 1e-17 * sum || sum == 0 {
            sum += term
            k += 1
            term *= mean / Double(k)
            if k > count + 10_000 { break }
        }
        return min(300, -(logFirst + log(sum)) / M_LN10)
    }

    /// The lower end of the Wilson score interval of a share measured on `rows` rows, `z`
    /// standard errors down: what the rows show with confidence. One fast confirmation
    /// among eight orders is a share of 0.125 but a bound near 0.02; a ring's many orders
    /// keep most of their share.
    static func shareLowerBound(_ share: Double, rows: Int, z: Double) -> Double {
        let n = Double(rows), z2 = z * z
        let centre = share + z2 / (2 * n)
        let spread = z * (share * (1 - share) / n + z2 / (4 * n * n)).squareRoot()
        return max(0, (centre - spread) / (1 + z2 / n))
    }
}
