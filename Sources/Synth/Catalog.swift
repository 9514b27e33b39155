/// The fixed facts of the simulated market: cities, courier companies and item
/// categories with their typical weights and prices. Only their sizes are random.
enum Catalog {
    /// Prefecture-level city codes (GB/T 2260), largest markets first.
    static let cities: [Int64] = [
        310100, 110100, 440300, 440100, 330100, 510100, 320500, 500100, 420100, 320100,
        610100, 120100, 330700, 440600, 441900, 410100, 430100, 370200, 330200, 350200,
        320200, 370100, 210100, 340100, 330300, 350100, 530100, 360100, 210200, 230100,
        450100, 520100, 130100, 140100, 370600, 620100, 130200, 150100, 650100, 460100,
    ]

    /// A courier company: its code (also the tracking-number prefix) and market share.
    struct CourierCompany: Sendable {
        let code: [UInt8]
        let share: Double
        /// Outlets per city for the largest cities (fewer in small ones).
        let outletsPerCity: Int
    }

    /// From national networks with many outlets to small regional carriers.
    static let couriers: [CourierCompany] = [
        ("ZT", 0.22, 6), ("YD", 0.17, 5), ("YT", 0.16, 5), ("ST", 0.12, 4), ("JT", 0.11, 4),
        ("SF", 0.09, 3), ("JD", 0.06, 3), ("EM", 0.04, 2), ("DB", 0.02, 1), ("BS", 0.008, 1),
        ("HT", 0.005, 1), ("UC", 0.003, 1),
    ].map { CourierCompany(code: Array($0.0.utf8), share: $0.1, outletsPerCity: $0.2) }

    /// A kind of goods: its typical parcel weight and price, and packaging.
    struct ItemCategory: Sendable {
        let name: String
        let medianGrams: Double
        let gramsSpread: Double
        let medianCents: Double
        let centsSpread: Double
        let packagingGrams: Int
        /// Light goods that honest shops ship in envelopes.
        let light: Bool
    }

    static let categories: [ItemCategory] = [
        ItemCategory(name: "documents", medianGrams: 60, gramsSpread: 0.5, medianCents: 1500, centsSpread: 0.7, packagingGrams: 10, light: true),
        ItemCategory(name: "cosmetics-samples", medianGrams: 35, gramsSpread: 0.5, medianCents: 990, centsSpread: 0.5, packagingGrams: 15, light: true),
        ItemCategory(name: "accessories", medianGrams: 90, gramsSpread: 0.6, medianCents: 3900, centsSpread: 0.8, packagingGrams: 25, light: true),
        ItemCategory(name: "apparel", medianGrams: 450, gramsSpread: 0.5, medianCents: 12900, centsSpread: 0.7, packagingGrams: 60, light: false),
        ItemCategory(name: "books", medianGrams: 600, gramsSpread: 0.4, medianCents: 4900, centsSpread: 0.5, packagingGrams: 80, light: false),
        ItemCategory(name: "electronics", medianGrams: 900, gramsSpread: 0.8, medianCents: 39900, centsSpread: 1.0, packagingGrams: 150, light: false),
        ItemCategory(name: "home", medianGrams: 2200, gramsSpread: 0.8, medianCents: 15900, centsSpread: 0.8, packagingGrams: 200, light: false),
        ItemCategory(name: "food", medianGrams: 1500, gramsSpread: 0.6, medianCents: 6900, centsSpread: 0.6, packagingGrams: 120, light: false),
    ]

    /// Relative order volume by local hour (UTC+8): quiet nights, lunch and evening peaks.
    static let hourWeights: [Double] = [
        1.2, 0.6, 0.3, 0.2, 0.15, 0.2, 0.4, 0.8, 1.3, 1.7, 2.0, 2.2,
        2.4, 2.1, 1.9, 1.9, 2.0, 2.1, 2.3, 2.8, 3.3, 3.6, 3.2, 2.2,
    ]

    /// The platform-wide shopping festival: the 11th day of the export (like 11.11).
    static let festivalDay = 10
}
