/// One CSV file being built in memory as bytes: ids, numbers, money and timestamps are
/// formatted by hand straight into the buffer (no `String` per field), which is what
/// lets the generator write millions of rows a second.
struct CSVBuffer: Sendable {
    /// Storage whose bytes past `count` are never read: `storage[0 ..< count]` is written.
    private var storage: [UInt8]
    private(set) var count = 0
    /// Rows ended with `endRow()`.
    private(set) var rows = 0

    /// A buffer of `capacity` bytes, left unfilled (UInt8 is trivial and only written bytes
    /// are read), so a large buffer costs no pass over memory before it is used.
    init(capacity: Int) {
        let size = max(64, capacity)
        storage = [UInt8](unsafeUninitializedCapacity: size) { _, initialized in initialized = size }
    }

    /// The bytes written so far.
    var bytes: ArraySlice<UInt8> { storage[0..<count] }

    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    mutating func removeAll() {
        count = 0
        rows = 0
    }

    /// Lets `fill` write at most `limit` bytes at the end (it returns how many it wrote):
    /// the one place that touches the storage, with one capacity check per field.
    @inline(__always)
    mutating func field(limit: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int) {
        if count + limit > storage.count {
            storage.append(contentsOf: repeatElement(0, count: max(storage.count, limit)))
        }
        let at = count
        count += storage.withUnsafeMutableBufferPointer { fill($0.baseAddress! + at) }
    }

    mutating func byte(_ value: UInt8) {
        field(limit: 1) { out in
            out[0] = value
            return 1
        }
    }

    mutating func text(_ value: UnsafeRawBufferPointer) {
        field(limit: value.count) { out in
            if let base = value.baseAddress { out.update(from: base.assumingMemoryBound(to: UInt8.self), count: value.count) }
            return value.count
        }
    }

    mutating func text(_ value: StaticString) {
        value.withUTF8Buffer { text(UnsafeRawBufferPointer($0)) }
    }

    mutating func text(_ value: [UInt8]) { value.withUnsafeBytes { text($0) } }

    mutating func text(_ other: CSVBuffer) { other.withBytes { text($0) } }

    mutating func comma() { byte(UInt8(ascii: ",")) }

    mutating func endRow() {
        byte(UInt8(ascii: "\n"))
        rows += 1
    }

    /// A non-negative decimal integer.
    mutating func decimal(_ value: Int64) {
        precondition(value >= 0, "negative value in an unsigned column")
        var length = 1, probe = value / 10
        while probe > 0 { length += 1; probe /= 10 }
        digits(value, width: length)
    }

    /// `value` as exactly `width` decimal digits (at most 20), zero padded.
    mutating func digits(_ value: Int64, width: Int) {
        field(limit: width) { out in
            var rest = value
            for position in stride(from: width - 1, through: 0, by: -1) {
                out[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
                rest /= 10
            }
            return width
        }
    }

    /// `value` as exactly `width` lower-case hexadecimal digits (at most 16).
    mutating func hex(_ value: UInt64, width: Int) {
        field(limit: width) { out in
            var rest = value
            for position in stride(from: width - 1, through: 0, by: -1) {
                let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
                out[position] = nibble < 10 ? nibble &+ 48 : nibble &+ 87
                rest >>= 4
            }
            return width
        }
    }

    /// Money in cents, written the way platforms do: `20`, `19.9` or `19.90`.
    mutating func money(_ cents: Int64, style: Int) {
        decimal(cents / 100)
        let fraction = cents % 100
        if fraction == 0 && style != 0 { return }
        byte(UInt8(ascii: "."))
        if fraction % 10 == 0 && style == 1 {
            decimal(fraction / 10)
        } else {
            digits(fraction, width: 2)
        }
    }

    /// An identifier of `space`: its prefix and the scrambled index in hexadecimal.
    mutating func id(_ space: IdSpace, _ index: Int) {
        text(space.prefix)
        hex(space.scramble(UInt64(index)), width: space.bits / 4)
    }

    /// A network address of index `index`, written as a dotted quad.
    mutating func ip(_ index: UInt32) {
        let address = IdSpace.ips.scramble(UInt64(index))
        for part in 0..<4 {
            if part > 0 { byte(UInt8(ascii: ".")) }
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
