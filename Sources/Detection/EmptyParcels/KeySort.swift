/// Sorts 64-bit keys ascending by least-significant-digit radix sort, 16 bits a pass:
/// the composite keys `ParcelOrigins` groups by (shop and place, buyer and hub, ...) are
/// one per waybill, and a comparison sort of them cost more than the rest of the
/// detector. A pass whose digit is the same in every key is skipped.
enum KeySort {
    static func sort(_ keys: inout [UInt64]) {
        guard keys.count > 256 else {
            keys.sort()
            return
        }
        var scratch = [UInt64](repeating: 0, count: keys.count)
        var counts = [Int](repeating: 0, count: 1 << 16)
        var sortedInScratch = false
        for shift: UInt64 in [0, 16, 32, 48] {
            keys.withUnsafeMutableBufferPointer { keys in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    counts.withUnsafeMutableBufferPointer { counts in
                        let source = sortedInScratch ? scratch : keys, target = sortedInScratch ? keys : scratch
                        for index in counts.indices { counts[index] = 0 }
                        for key in source { counts[Int(truncatingIfNeeded: key >> shift) & 0xFFFF] += 1 }
                        if counts[Int(truncatingIfNeeded: source[0] >> shift) & 0xFFFF] == source.count { return }
                        var offset = 0
                        for index in counts.indices {
                            let count = counts[index]
                            counts[index] = offset
                            offset += count
                        }
                        for key in source {
                            let digit = Int(truncatingIfNeeded: key >> shift) & 0xFFFF
                            target[counts[digit]] = key
                            counts[digit] += 1
                        }
                        sortedInScratch.toggle()
                    }
                }
            }
        }
        if sortedInScratch { keys = scratch }
    }
}
