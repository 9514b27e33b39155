/// One buyer's distinct shops, cut from the ascending keys `buyer << 32 | shop` of an
/// order or rating table's distinct (buyer, shop) pairs: the shop pairs a buyer's purchases or
/// reviews tie together (co-reviewer pairs, one-praisers) and a rater's complaints
/// (co-complainer pairs, a rater being a buyer) are walked buyer by buyer from these
/// keys, sorted once, without a per-buyer list.
struct BuyerShops {
    /// The buyer's keys, a slice of the array they were cut from.
    var keys: ArraySlice<UInt64>
    var count: Int { keys.count }
    /// Where the key at `position` is in the array the keys were cut from.
    func offset(_ position: Int) -> Int { keys.startIndex + position }
    var buyer: UInt32 { UInt32(keys.first! >> 32) }
    subscript(position: Int) -> UInt32 { UInt32(keys[keys.startIndex + position] & 0xFFFF_FFFF) }

    /// Calls `body` once per buyer of the ascending keys `buyer << 32 | shop` with that
    /// buyer's shops.
    static func forEach(in keys: [UInt64], _ body: (BuyerShops) -> Void) {
        SortedKeys.forEachRun(count: keys.count, key: { keys[$0] >> 32 }) { _, run in body(BuyerShops(keys: keys[run])) }
    }

    /// The distinct keys `buyer << 32 | shop` of the rows where `include` holds, ascending.
    static func distinctKeys(buyers: [UInt32], shops: [UInt32], include: (Int) -> Bool) -> [UInt64] {
        var keys: [UInt64] = []
        for row in buyers.indices where include(row) {
            keys.append(UInt64(buyers[row]) << 32 | UInt64(shops[row]))
        }
        return SortedKeys.counted(keys).keys
    }
}
