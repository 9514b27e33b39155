import Detection

/// How many suspects a run proposes for each list, per category and entity kind, in
/// the order the summary and the report print them (category, then kind, by name).
struct SuspectCount {
    var category: String
    var kind: String
    var blacklist = 0
    var keyScrutiny = 0

    static func of(_ suspects: [Suspect]) -> [SuspectCount] {
        var counts: [String: SuspectCount] = [:]
        for suspect in suspects {
            let key = "\(suspect.category.rawValue)\t\(suspect.entityKind.rawValue)"
            var count = counts[key] ?? SuspectCount(category: suspect.category.rawValue, kind: suspect.entityKind.rawValue)
            if suspect.proposedList == .blacklist { count.blacklist += 1 } else { count.keyScrutiny += 1 }
            counts[key] = count
        }
        return counts.keys.sorted().map { counts[$0]! }
    }
}
