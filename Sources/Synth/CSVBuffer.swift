/// One CSV file being built in memory as bytes: ids, numbers, money and timestamps are
/// formatted by hand straight into the buffer (no `String` per field), which is what
/// lets the generator write millions of rows a second.
struct CSVBuffer: Sendable {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func text(_ value: StaticString) {
        value.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func text(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    mutating func endRow() { bytes.append(UInt8(ascii: "\n")) }

    /// A non-negative decimal integer.
    mutating func decimal(_ value: Int64) {
        precondition(value >= 0, "negative value in an unsigned column")
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            while rest > 0 {
                scratch[31 - count] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(32 - count)...]))
        }
    }

    /// `value` as exactly `width` decimal digits, zero padded.
    mutating func digits(_ value: Int64, width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: (rest / divisor) % 10) &+ 48)
            rest %= divisor
            divisor /= 10
        }
    }

    /// `value` as exactly `width` lower-case hexadecimal digits.
    mutating func hex(_ value: UInt64, width: Int) {
        var shift = (width - 1) * 4
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 0xF)
            bytes.append(nibble < 10 ? nibble &+ 48 : nibble &+ 87)
            shift -= 4
        }
    }

    /// Money in cents, written the way platforms do: `20`, `19.9` or `19.90`.
    mutating func money(_ cents: Int64, style: Int) {
        decimal(cents / 100)
        let fraction = cents % 100
        if fraction == 0 && style != 0 { return }
        bytes.append(UInt8(ascii: "."))
        if fraction % 10 == 0 && style == 1 {
            decimal(fraction / 10)
        } else {
            digits(fraction, width: 2)
        }
    }

    /// An identifier of `space`: its prefix and the scrambled index in hexadecimal.
    mutating func id(_ space: IdSpace, _ index: Int) {
        bytes.append(contentsOf: space.prefix)
        hex(space.scramble(UInt64(index)), width: space.bits / 4)
    }

    /// A network address of index `index`, written as a dotted quad.
    mutating func ip(_ index: UInt32) {
        let address = IdSpace.ips.scramble(UInt64(index))
        for part in 0..<4 {
            if part > 0 { bytes.append(UInt8(ascii: ".")) }
            let octet = (address >> UInt64(24 - part * 8)) & 0xFF
            decimal(Int64(part == 0 ? 1 + octet % 223 : octet))
        }
    }
}

/// An id space of the export (buyers, shops, orders ...): a fixed prefix and a bijective
/// scramble of the dense index, so that ids look like opaque hashes and tell nothing of
/// creation order or of who is a fraudster.
struct IdSpace: Sendable {
    let prefix: [UInt8]
    let bits: Int
    let salt: UInt64

    init(_ prefix: StaticString, bits: Int, salt: UInt64) {
        self.prefix = prefix.withUTF8Buffer { Array($0) }
        self.bits = bits
        self.salt = salt
    }

    static let buyers = IdSpace("u", bits: 32, salt: 0x5A17)
    static let shops = IdSpace("s", bits: 24, salt: 0x3C9)
    static let items = IdSpace("i", bits: 32, salt: 0x71F3)
    static let orders = IdSpace("o", bits: 48, salt: 0x1D2B_3C4D)
    static let addresses = IdSpace("a", bits: 32, salt: 0x4E1)
    static let devices = IdSpace("d", bits: 40, salt: 0x9AB)
    static let payments = IdSpace("p", bits: 32, salt: 0x2F7)
    static let ips = IdSpace("", bits: 32, salt: 0x6C3)
    static let waybills = IdSpace("", bits: 48, salt: 0x77_5E1)

    /// A bijection of `0 ..< 2^bits` (odd multiplies and xor-shifts), so distinct indices
    /// always give distinct ids.
    func scramble(_ index: UInt64) -> UInt64 {
        let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
        let half = UInt64(bits / 2)
        var x = (index &+ salt) & mask
        x = (x &* 0x9E37_79B9_7F4A_7C15) & mask
        x ^= x >> half
        x = (x &* 0xBF58_476D_1CE4_E5B9) & mask
        x ^= x >> (half - 1)
        return x
    }
}
