import Columnar
import Testing

@Suite struct IdDictionaryTests {
    @Test func internsInFirstSeenOrder() {
        var dictionary = IdDictionary(capacity: 2)
        #expect(dictionary.intern("shop-a") == 0)
        #expect(dictionary.intern("shop-b") == 1)
        #expect(dictionary.intern("shop-a") == 0)
        #expect(dictionary.count == 2)
        #expect(dictionary.string(1) == "shop-b")
        #expect(dictionary.lookup("shop-c") == nil)
        #expect(dictionary.lookup("shop-b") == 1)
    }

    @Test func agreesWithSwiftDictionaryOnRandomKeys() {
        var generator = SystemRandomNumberGenerator()
        var reference: [String: UInt32] = [:]
        var dictionary = IdDictionary(capacity: 4)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let key = String((0..<length).map { _ in "ab0é,\"".randomElement(using: &generator)! })
            let id = dictionary.intern(key)
            if let known = reference[key] {
                #expect(id == known)
            } else {
                #expect(id == UInt32(reference.count))
                reference[key] = id
            }
        }
        #expect(dictionary.count == reference.count)
        for (key, id) in reference { #expect(dictionary.string(id) == key) }
    }
}
